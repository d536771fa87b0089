using SmartCrm.Tests.Knowledge;
using SmartCrm.Triage;

namespace SmartCrm.Tests.Triage;

public sealed class TicketClassifierEmbeddingTests
{
    private static readonly LabelledText[] Training =
    [
        new("I want a refund for this", "refund"), new("refund please", "refund"), new("give me a refund now", "refund"),
        new("where is my parcel", "delivery"), new("parcel still not here", "delivery"), new("the parcel is late", "delivery"),
        new("the heater is broken", "fault"), new("it is broken again", "fault"), new("screen broken on arrival", "fault"),
    ];

    // None shares a word with its category's training texts; only the embeddings know the synonyms.
    private static readonly LabelledText[] Synonyms =
    [
        new("reimburse me", "refund"), new("repay the money", "refund"),
        new("courier shipment?", "delivery"), new("package delivery", "delivery"),
        new("defective unit", "fault"), new("faulty and dead", "fault"),
    ];

    [Fact]
    public void With_embeddings_beside_tf_idf_the_classifier_puts_texts_in_other_words_in_their_category()
    {
        var plain = TicketClassifier.Train(Training);
        var combined = TicketClassifier.Train(Training, ConceptEncoder.Model, 1f);

        combined.UsesEmbeddings.ShouldBeTrue();
        plain.UsesEmbeddings.ShouldBeFalse();
        combined.Accuracy(Synonyms).ShouldBe(1);
        plain.Accuracy(Synonyms).ShouldBeLessThan(1);
        combined.Accuracy(Training).ShouldBe(1);
        var guess = combined.Classify("the heater is faulty");
        guess.Category.ShouldBe("fault");
        guess.TopTerms.ShouldNotBeEmpty("the reasons are still words, never embedding dimensions");
    }
}
