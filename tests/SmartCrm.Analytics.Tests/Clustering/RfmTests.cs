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

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void One_figure_scored_against_the_breakpoints_gets_the_score_it_has_among_all(int seed)
    {
        // The customer 360 scores one customer against breakpoints computed once for all of them; it must agree with the rule
        // 1 + ⌊5·w/n⌋ (w = figures strictly worse) for members, ties and figures outside the population alike.
        var random = new Random(seed);
        foreach (var n in new[] { 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 23, 100, 257 })
        {
            var values = new double[n];
            for (var i = 0; i < n; i++) values[i] = random.Next(0, seed * 3 + 2) * 1.5; // few distinct values: many ties
            foreach (var higherIsBetter in new[] { true, false })
            {
                var breakpoints = Rfm.QuintileBreakpoints(values, higherIsBetter);
                var scores = Rfm.QuintileScores(values, higherIsBetter);
                foreach (var probe in values.Concat([-1.0, 0.75, 1e9]))
                {
                    var worse = values.Count(v => higherIsBetter ? v < probe : v > probe);
                    var expected = Math.Min(5, 1 + 5 * worse / n);
                    Rfm.QuintileScore(breakpoints, probe, higherIsBetter).ShouldBe(expected, $"n={n}, probe={probe}, higherIsBetter={higherIsBetter}");
                }
                for (var i = 0; i < n; i++)
                {
                    var worse = values.Count(v => higherIsBetter ? v < values[i] : v > values[i]);
                    scores[i].ShouldBe(1 + 5 * worse / n);
                }
            }
        }
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
