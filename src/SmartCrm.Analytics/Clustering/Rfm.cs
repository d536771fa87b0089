namespace SmartCrm.Analytics.Clustering;

/// <summary>
/// A customer's RFM scores, each 1 (worst fifth of customers) to 5 (best fifth): recency (recent buyers score
/// high), frequency and monetary value (higher scores high).
/// </summary>
/// <param name="Recency">Recency score 1-5; 5 for the most recent buyers.</param>
/// <param name="Frequency">Frequency score 1-5; 5 for the most frequent buyers.</param>
/// <param name="Monetary">Monetary score 1-5; 5 for the biggest spenders.</param>
public readonly record struct RfmScore(int Recency, int Frequency, int Monetary)
{
    /// <summary>The usual three-digit RFM cell, e.g. 545.</summary>
    public int Cell => Recency * 100 + Frequency * 10 + Monetary;

    /// <summary>Sum of the three scores, 3 to 15.</summary>
    public int Total => Recency + Frequency + Monetary;
}

/// <summary>RFM scoring by quintiles of the customer base.</summary>
public static class Rfm
{
    /// <summary>Scores every customer from their per-customer figures (same order in all three spans).</summary>
    /// <param name="daysSinceLastPurchase">Recency: days (or any time unit) since the last purchase; smaller is better.</param>
    /// <param name="purchases">Frequency: number of purchases in the period.</param>
    /// <param name="spent">Monetary: amount spent in the period.</param>
    /// <exception cref="ArgumentException">Spans of different lengths, no customers, or a value that is not finite.</exception>
    public static RfmScore[] Score(ReadOnlySpan<double> daysSinceLastPurchase, ReadOnlySpan<double> purchases, ReadOnlySpan<double> spent)
    {
        if (purchases.Length != daysSinceLastPurchase.Length || spent.Length != daysSinceLastPurchase.Length)
        {
            throw new ArgumentException($"Recency, frequency and monetary figures differ in length ({daysSinceLastPurchase.Length}, {purchases.Length}, {spent.Length}).", nameof(purchases));
        }
        var recency = QuintileScores(daysSinceLastPurchase, higherIsBetter: false);
        var frequency = QuintileScores(purchases, higherIsBetter: true);
        var monetary = QuintileScores(spent, higherIsBetter: true);
        var scores = new RfmScore[recency.Length];
        for (var i = 0; i < scores.Length; i++) scores[i] = new RfmScore(recency[i], frequency[i], monetary[i]);
        return scores;
    }

    /// <summary>
    /// Quintile score 1-5 of each value: 1 + ⌊5·w/n⌋ where w is the number of values strictly worse. Equal values
    /// always share a score (the lower one when a tie straddles a quintile boundary), so many customers with one
    /// purchase all score 1 rather than being split arbitrarily.
    /// </summary>
    /// <param name="values">One figure per customer.</param>
    /// <param name="higherIsBetter">True when larger values deserve higher scores.</param>
    /// <exception cref="ArgumentException">No values, or a value that is not finite.</exception>
    public static int[] QuintileScores(ReadOnlySpan<double> values, bool higherIsBetter)
    {
        var breakpoints = QuintileBreakpoints(values, higherIsBetter);
        var scores = new int[values.Length];
        for (var i = 0; i < scores.Length; i++) scores[i] = QuintileScore(breakpoints, values[i], higherIsBetter);
        return scores;
    }

    /// <summary>
    /// The four breakpoints of <see cref="QuintileScores"/> for a population, to score figures one at a time against it (a
    /// customer's page against all customers) exactly as <see cref="QuintileScores"/> scores the population: with w values
    /// strictly worse than a figure, 1 + ⌊5·w/n⌋ ≥ k + 1 exactly when the figure is better than the ⌈k·n/5⌉-th worst value.
    /// </summary>
    /// <param name="values">One figure per customer.</param>
    /// <param name="higherIsBetter">True when larger values deserve higher scores.</param>
    /// <returns>Four values, in the order of <paramref name="higherIsBetter"/> (negated when smaller is better); pass them to <see cref="QuintileScore"/>.</returns>
    /// <exception cref="ArgumentException">No values, or a value that is not finite.</exception>
    public static double[] QuintileBreakpoints(ReadOnlySpan<double> values, bool higherIsBetter)
    {
        if (values.IsEmpty) throw new ArgumentException("No customers to score.", nameof(values));
        var n = values.Length;
        var keys = new double[n];
        for (var i = 0; i < n; i++)
        {
            if (!double.IsFinite(values[i])) throw new ArgumentException($"Value {i} is {values[i]}: every figure must be a finite number.", nameof(values));
            keys[i] = higherIsBetter ? values[i] : -values[i];
        }
        Array.Sort(keys);
        var breakpoints = new double[4];
        // ⌈k·n/5⌉-th worst value, 1-based; at least the first, at most the last.
        for (var k = 1; k <= 4; k++) breakpoints[k - 1] = keys[(int)((k * (long)n + 4) / 5) - 1];
        return breakpoints;
    }

    /// <summary>Score 1-5 of one figure against breakpoints from <see cref="QuintileBreakpoints"/> (with the same <paramref name="higherIsBetter"/>).</summary>
    /// <param name="breakpoints">The population's four breakpoints.</param>
    /// <param name="value">The figure to score; it need not be one of the population's.</param>
    /// <param name="higherIsBetter">True when larger values deserve higher scores.</param>
    public static int QuintileScore(ReadOnlySpan<double> breakpoints, double value, bool higherIsBetter)
    {
        var key = higherIsBetter ? value : -value;
        var score = 1;
        foreach (var breakpoint in breakpoints)
        {
            if (key > breakpoint) score++;
        }
        return score;
    }
}
