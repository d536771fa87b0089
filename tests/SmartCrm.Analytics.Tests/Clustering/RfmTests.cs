using SmartCrm.Analytics.Clustering;

namespace SmartCrm.Analytics.Tests.Clustering;

public sealed class RfmTests
{
    [Fact]
    public void Ten_distinct_values_fall_two_to_a_quintile()
    {
        double[] values = [5, 1, 9, 3, 7, 2, 10, 4, 8, 6];

        Rfm.QuintileScores(values, higherIsBetter: true).ShouldBe([3, 1, 5, 2, 4, 1, 5, 2, 4, 3]);
    }

    [Fact]
    public void Recency_scores_recent_buyers_highest()
    {
        double[] days = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

        Rfm.QuintileScores(days, higherIsBetter: false).ShouldBe([5, 5, 4, 4, 3, 3, 2, 2, 1, 1]);
    }

    [Fact]
    public void Equal_figures_share_a_score()
    {
        // Six of ten customers bought once: none of them is worse than another, so all score 1.
        double[] purchases = [1, 1, 1, 1, 1, 1, 2, 3, 3, 9];

        Rfm.QuintileScores(purchases, higherIsBetter: true).ShouldBe([1, 1, 1, 1, 1, 1, 4, 4, 4, 5]);
    }

    [Fact]
    public void Scores_combine_into_cells_and_totals()
    {
        double[] days = [3, 30, 300, 10, 100];
        double[] purchases = [12, 4, 1, 8, 2];
        double[] spent = [900, 150, 20, 400, 60];

        var scores = Rfm.Score(days, purchases, spent);

        scores[0].ShouldBe(new RfmScore(5, 5, 5));
        scores[2].ShouldBe(new RfmScore(1, 1, 1));
        scores[1].Cell.ShouldBe(333);
        scores[3].Total.ShouldBe(12);
    }

    [Fact]
    public void Figures_of_different_lengths_are_rejected()
    {
        Should.Throw<ArgumentException>(() => Rfm.Score([1, 2], [1, 2, 3], [1, 2])).Message.ShouldContain("differ in length");
    }

    [Fact]
    public void No_customers_is_rejected()
    {
        Should.Throw<ArgumentException>(() => Rfm.QuintileScores([], higherIsBetter: true));
    }

    [Fact]
    public void A_figure_that_is_not_finite_is_rejected()
    {
        Should.Throw<ArgumentException>(() => Rfm.QuintileScores([1, double.NaN], higherIsBetter: true)).Message.ShouldContain("Value 1");
    }
}
