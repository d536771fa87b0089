using SmartCrm.Triage;
using Xunit.Abstractions;

namespace SmartCrm.Tests.Triage;

public sealed class TicketClassifierTests(ITestOutputHelper output)
{
    [Fact]
    public void The_seed_model_puts_chinese_tickets_in_their_category_without_a_word_segmenter()
    {
        var model = TicketClassifier.Train(TriageSeed.Examples);

        var accuracy = model.Accuracy(LabelledTickets.Chinese);
        output.WriteLine($"Chinese accuracy {accuracy:0.###} on {LabelledTickets.Chinese.Count} tickets");
        accuracy.ShouldBeGreaterThanOrEqualTo(0.75);
        var guess = model.Classify("设备开不了机，屏幕黑屏");
        guess.Category.ShouldBe("fault");
        guess.TopTerms.ShouldNotBeEmpty();
        guess.TopTerms.ShouldAllBe(t => t.Any(c => c >= 0x4E00), "the reasons are Chinese character n-grams");
    }

    [Fact]
    public void The_seed_model_puts_english_tickets_in_their_category_and_names_the_terms_that_decided()
    {
        var model = TicketClassifier.Train(TriageSeed.Examples);

        var accuracy = model.Accuracy(LabelledTickets.English);
        output.WriteLine($"English accuracy {accuracy:0.###} on {LabelledTickets.English.Count} tickets");
        accuracy.ShouldBeGreaterThanOrEqualTo(0.75);
        var guess = model.Classify("I want a refund for my order");
        guess.Category.ShouldBe("refund");
        guess.TopTerms.ShouldContain(t => t.Contains("refund", StringComparison.Ordinal));
        guess.Margin.ShouldBeGreaterThan(0);
    }

    [Fact]
    public void Seed_examples_cover_every_category_in_both_languages()
    {
        var seed = TriageSeed.Examples;
        seed.Select(e => e.Category).Distinct().Count().ShouldBe(8);
        foreach (var category in seed.GroupBy(e => e.Category))
        {
            category.Count(e => e.Text.Any(c => c >= 0x4E00)).ShouldBeGreaterThanOrEqualTo(5, category.Key);
            category.Count(e => e.Text.All(c => c < 0x2E80)).ShouldBeGreaterThanOrEqualTo(5, category.Key);
        }
    }
}
