using SmartCrm.Demo;
using SmartCrm.Knowledge;

namespace SmartCrm.Tests.Demo;

/// <summary>
/// The demo company's help articles, with what its agents taught the assistant, answer its customers' common questions (put in
/// words of their own, in English and Chinese) at the assistant's default threshold.
/// </summary>
public sealed class DemoArticlesTests
{
    private static readonly List<Article> Articles = DemoArticles.Create(DateTime.UnixEpoch).Select((a, i) => { a.Id = i + 1; return a; }).ToList();
    private static readonly KnowledgeIndex Index = KnowledgeIndex.Build(Articles.Select(a => new IndexedArticle(a.Id, a.Title, a.Body)));
    private static readonly LearnedAnswers Learned = LearnedAnswers.Build(DemoArticles.Marks(Articles, DateTime.UnixEpoch)
        .Select(m => new LearnedMark(m.ArticleId, Articles[(int)m.ArticleId - 1].Title, m.Question, m.Passage, m.Helpful)).ToList());

    [Theory]
    [InlineData("How can I change the filter in my purifier?", "How do I change the filter of my purifier?")]
    [InlineData("The leak alarm on my water heater went off", "What should I do when the water heater leak alarm goes off?")]
    [InlineData("I would like to return my purifier for a refund", "Can I return a product and get a refund?")]
    [InlineData("My card was charged twice for one order", "I was charged twice for one order, what now?")]
    [InlineData("How do I reset the hub?", "How do I reset the hub to factory settings?")]
    [InlineData("My water heater shows E4", "What does error E4 on the water heater mean?")]
    [InlineData("How to pair the room sensor?", "How do I pair the room sensor?")]
    [InlineData("热水器漏水报警了怎么办", "热水器漏水报警怎么办？")]
    [InlineData("净化器如何更换滤网", "净化器怎么更换滤网？")]
    [InlineData("我要退货退款", "可以退货退款吗？")]
    [InlineData("被重复扣款怎么办", "重复扣款怎么办？")]
    public void A_common_question_is_answered_from_the_right_demo_article(string question, string title)
    {
        var best = Learned.Adjust(Index, question, Index.Best(question));
        best.ShouldNotBeNull();
        best.Title.ShouldBe(title);
        best.Similarity.ShouldBeGreaterThanOrEqualTo(AssistantOptions.DefaultThreshold, $"answered, not handed off: {best.Passage}");
    }

    [Fact]
    public void The_demo_has_articles_in_english_and_chinese_for_every_product_family_and_every_mark_is_on_a_passage_of_its_article()
    {
        Articles.Count(a => a.Language == "en").ShouldBeGreaterThanOrEqualTo(30);
        Articles.Count(a => a.Language == "zh-Hans").ShouldBeGreaterThanOrEqualTo(15);
        foreach (var family in new[] { "hub", "thermostat", "purifier", "water heater", "CareFree", "refund", "invoice" })
            Articles.ShouldContain(a => a.Body.Contains(family, StringComparison.OrdinalIgnoreCase), family);
        var marks = DemoArticles.Marks(Articles, DateTime.UnixEpoch).ToList();
        marks.Count.ShouldBeGreaterThan(Articles.Count);
        marks.ShouldAllBe(m => Articles[(int)m.ArticleId - 1].Body.Contains(m.Passage));
    }
}
