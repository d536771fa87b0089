namespace SmartCrm.Analytics.Streaming;

/// <summary>How one reading compares with the readings before it.</summary>
/// <param name="Z">The modified z-score, or null while the detector warms up; ±∞ when the window was constant.</param>
/// <param name="OutsideRecentRange">True when the reading lies beyond the lowest or highest reading in the window.</param>
public readonly record struct AnomalyScore(double? Z, bool OutsideRecentRange);

/// <summary>
/// Streaming anomaly detector for one signal: the modified z-score of Iglewicz and Hoaglin,
/// <c>0.6745 · (x − median) / MAD</c>, over a rolling window of the latest readings. Median and MAD are not dragged along by the
/// outliers they are meant to find, as a mean and standard deviation would be. A reading within the range the window has
/// already seen is not called anomalous whatever its score: signals that switch between levels (a heater's power is 0 or
/// 2 kW) would otherwise alarm at every switch. Allocation-free after construction.
/// </summary>
public sealed class RobustZScore
{
    /// <summary>The cut-off Iglewicz and Hoaglin recommend for the modified z-score.</summary>
    public const double DefaultThreshold = 3.5;

    private readonly double[] _window;
    private readonly double[] _sorted;
    private readonly double[] _deviations;
    private int _count;
    private int _next;

    /// <summary>A detector over the last <paramref name="window"/> readings, silent until <paramref name="warmUp"/> readings were seen.</summary>
    /// <param name="window">Readings kept (at least 5).</param>
    /// <param name="threshold">|z| above which a reading is anomalous.</param>
    /// <param name="warmUp">Readings needed before any verdict; defaults to the window size.</param>
    /// <param name="tolerance">
    /// Deviations within this fraction of the typical level (|median|) score 0: a battery at 99.8 % after a window of 100 % is
    /// not news, however small the spread of a quantised signal makes its z.
    /// </param>
    public RobustZScore(int window = 60, double threshold = DefaultThreshold, int? warmUp = null, double tolerance = 0.01)
    {
        if (!double.IsFinite(tolerance) || tolerance < 0) throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "The tolerance must be 0 or more.");
        Tolerance = tolerance;
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 5);
        if (!double.IsFinite(threshold) || threshold <= 0) throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The threshold must be a positive number.");
        var needed = warmUp ?? window;
        ArgumentOutOfRangeException.ThrowIfLessThan(needed, 5, nameof(warmUp));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(needed, window, nameof(warmUp));
        _window = new double[window];
        _sorted = new double[window];
        _deviations = new double[window];
        Threshold = threshold;
        WarmUp = needed;
    }

    /// <summary>|z| above which a reading counts as anomalous.</summary>
    public double Threshold { get; }

    /// <summary>Fraction of the typical level within which a deviation scores 0.</summary>
    public double Tolerance { get; }

    /// <summary>Readings needed before the detector gives a verdict.</summary>
    public int WarmUp { get; }

    /// <summary>Readings seen so far (capped at the window size).</summary>
    public int Count => _count;

    /// <summary>Scores <paramref name="value"/> against the readings before it, then adds it to the window.</summary>
    /// <exception cref="ArgumentException">The value is NaN or infinite.</exception>
    public AnomalyScore Add(double value)
    {
        if (!double.IsFinite(value)) throw new ArgumentException($"A reading must be a finite number, not {value}.", nameof(value));
        var score = _count >= WarmUp ? Score(value) : new AnomalyScore(null, false);
        _window[_next] = value;
        _next = (_next + 1) % _window.Length;
        if (_count < _window.Length) _count++;
        return score;
    }

    /// <summary>True when the reading is far from the recent ones (|z| above the threshold) and beyond anything they reached.</summary>
    public bool IsAnomaly(AnomalyScore score) => score.Z is { } z && Math.Abs(z) > Threshold && score.OutsideRecentRange;

    private AnomalyScore Score(double value)
    {
        var n = _count;
        var sorted = _sorted.AsSpan(0, n);
        _window.AsSpan(0, n).CopyTo(sorted);
        sorted.Sort();
        var outside = value < sorted[0] || value > sorted[n - 1];
        return new AnomalyScore(ModifiedZ(value, sorted), outside);
    }

    private double ModifiedZ(double value, Span<double> sorted)
    {
        var n = sorted.Length;
        var median = Median(sorted);
        if (Math.Abs(value - median) <= Tolerance * Math.Abs(median)) return 0;
        var deviations = _deviations.AsSpan(0, n);
        for (var i = 0; i < n; i++) deviations[i] = Math.Abs(sorted[i] - median);
        deviations.Sort();
        var mad = Median(deviations);
        if (mad > 0) return 0.6745 * (value - median) / mad;
        // More than half the window is one value: fall back to the mean absolute deviation (Iglewicz and Hoaglin's 0.7979 factor).
        double meanAbsolute = 0;
        for (var i = 0; i < n; i++) meanAbsolute += deviations[i];
        meanAbsolute /= n;
        if (meanAbsolute > 0) return (value - median) / (1.253314 * meanAbsolute);
        return value == median ? 0 : value > median ? double.PositiveInfinity : double.NegativeInfinity;
    }

    private static double Median(Span<double> sorted)
    {
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
