namespace SmartCrm.Analytics.Matching;

/// <summary>Fences outside which a value counts as an outlier, from all the values of a column.</summary>
/// <param name="Low">Values below are outliers.</param>
/// <param name="High">Values above are outliers.</param>
public readonly record struct Fences(double Low, double High)
{
    /// <summary>Whether <paramref name="value"/> lies outside the fences.</summary>
    /// <param name="value">The value to test.</param>
    public bool IsOutside(double value) => value < Low || value > High;

    /// <summary>The value moved to the nearest fence if it lies outside (winsorising).</summary>
    /// <param name="value">The value to clip.</param>
    public double Clip(double value) => Math.Clamp(value, Low, High);
}

/// <summary>Column statistics for cleaning: outlier fences (Tukey's IQR rule, robust z-score), median, mean and spread.</summary>
public static class ColumnStatistics
{
    /// <summary>The value at quantile <paramref name="q"/> of sorted values, by linear interpolation (numpy's default, R type 7).</summary>
    /// <param name="sorted">Values in ascending order, at least one.</param>
    /// <param name="q">Quantile in 0..1.</param>
    public static double Quantile(ReadOnlySpan<double> sorted, double q)
    {
        if (sorted.IsEmpty) throw new ArgumentException("A quantile needs at least one value.", nameof(sorted));
        if (q is < 0 or > 1 || double.IsNaN(q)) throw new ArgumentOutOfRangeException(nameof(q), q, "The quantile must lie in 0..1.");
        var position = q * (sorted.Length - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }

    /// <summary>Tukey's fences: Q1 − k·IQR and Q3 + k·IQR (k = 1.5 flags the usual outliers, 3 only the far ones).</summary>
    /// <param name="sorted">Values in ascending order, at least one.</param>
    /// <param name="k">Multiple of the interquartile range.</param>
    public static Fences Iqr(ReadOnlySpan<double> sorted, double k = 1.5)
    {
        var q1 = Quantile(sorted, 0.25);
        var q3 = Quantile(sorted, 0.75);
        var iqr = q3 - q1;
        return new Fences(q1 - k * iqr, q3 + k * iqr);
    }

    /// <summary>
    /// Fences of the modified z-score (Iglewicz and Hoaglin): values whose <c>0.6745·|x − median| / MAD</c> exceeds
    /// <paramref name="threshold"/>. With a MAD of zero (over half the values equal) every other value is outside.
    /// </summary>
    /// <param name="sorted">Values in ascending order, at least one.</param>
    /// <param name="threshold">Cut-off of the modified z-score; 3.5 is the authors' recommendation.</param>
    public static Fences RobustZ(ReadOnlySpan<double> sorted, double threshold = 3.5)
    {
        var median = Quantile(sorted, 0.5);
        var deviations = new double[sorted.Length];
        for (var i = 0; i < sorted.Length; i++) deviations[i] = Math.Abs(sorted[i] - median);
        Array.Sort(deviations);
        var mad = Quantile(deviations, 0.5);
        var reach = threshold * mad / 0.6745;
        return new Fences(median - reach, median + reach);
    }

    /// <summary>Mean and sample standard deviation, in one pass (Welford), for standardising a feature to z-scores.</summary>
    /// <param name="values">The values, any order.</param>
    public static (double Mean, double StandardDeviation) MeanAndDeviation(ReadOnlySpan<double> values)
    {
        if (values.IsEmpty) return (double.NaN, double.NaN);
        double mean = 0, m2 = 0;
        for (var i = 0; i < values.Length; i++)
        {
            var delta = values[i] - mean;
            mean += delta / (i + 1);
            m2 += delta * (values[i] - mean);
        }
        return (mean, values.Length > 1 ? Math.Sqrt(m2 / (values.Length - 1)) : 0);
    }

    /// <summary>The most frequent value (the smallest among ties, so the answer does not depend on input order).</summary>
    /// <param name="values">The values, any order, at least one.</param>
    public static double Mode(ReadOnlySpan<double> values)
    {
        if (values.IsEmpty) throw new ArgumentException("A mode needs at least one value.", nameof(values));
        var sorted = values.ToArray();
        Array.Sort(sorted);
        double best = sorted[0];
        int bestRun = 0, run = 0;
        for (var i = 0; i < sorted.Length; i++)
        {
            run = i > 0 && sorted[i] == sorted[i - 1] ? run + 1 : 1;
            if (run > bestRun) { bestRun = run; best = sorted[i]; }
        }
        return best;
    }
}
