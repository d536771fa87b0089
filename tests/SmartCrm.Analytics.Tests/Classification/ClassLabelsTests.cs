using SmartCrm.Analytics.Classification;

namespace SmartCrm.Analytics.Tests.Classification;

public class ClassLabelsTests
{
    [Fact]
    public void Labels_are_numbered_in_sorted_order_and_round_trip()
    {
        var labels = new ClassLabels<string>(["refund", "card_lost", "refund", "pin"], StringComparer.Ordinal);

        labels.Names.ShouldBe(["card_lost", "pin", "refund"]);
        labels.Encode(["pin", "refund", "card_lost"]).ShouldBe([1, 2, 0]);
        labels.Count.ShouldBe(3);
    }

    [Fact]
    public void An_unknown_label_is_refused_by_name()
    {
        var labels = new ClassLabels<string>(["a", "b"]);

        Should.Throw<ArgumentException>(() => labels.Encode(["c"])).Message.ShouldContain("unknown label 'c'");
    }
}
