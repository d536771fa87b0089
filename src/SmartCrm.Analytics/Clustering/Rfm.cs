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
        if (values.IsEmpty) throw new ArgumentException("No customers to score.", nameof(values));
        var n = values.Length;
        var keys = new double[n];
        var order = new int[n];
        for (var i = 0; i < n; i++)
        {
            if (!double.IsFinite(values[i])) throw new ArgumentException($"Value {i} is {values[i]}: every figure must be a finite number.", nameof(values));
            keys[i] = higherIsBetter ? values[i] : -values[i];
            order[i] = i;
        }
        Array.Sort(keys, order);
        var scores = new int[n];
        var start = 0;
        while (start < n)
        {
            var end = start;
            while (end + 1 < n && keys[end + 1] == keys[start]) end++;
            // `start` values are strictly worse than this block of ties.
            var score = 1 + (int)(5L * start / n);
            for (var j = start; j <= end; j++) scores[order[j]] = score;
            start = end + 1;
        }
        return scores;
    }
}
