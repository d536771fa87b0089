namespace SmartCrm.Analytics.Streaming;

/// <summary>How one reading compares with the readings before it.</summary>
/// <param name="Z">The modified z-score (finite), or null while the detector warms up or after it restarted.</param>
/// <param name="Beyond">
/// How far the reading lies outside the lowest-to-highest span of the window, in widths of that span (0 when inside it).
/// </param>
/// <param name="Restarted">The reading began a new window: a counter that went back (a device reboot), or <see cref="RobustZScore.Restart"/>.</param>
public readonly record struct AnomalyScore(double? Z, double Beyond, bool Restarted = false)
{
    /// <summary>True when the reading lies beyond the lowest or highest reading in the window.</summary>
    public bool OutsideRecentRange => Beyond > 0;
}

/// <summary>
/// Streaming anomaly detector for one signal over a rolling window of its latest readings. A reading is anomalous when it is
/// both far from the window's centre, by the modified z-score of Iglewicz and Hoaglin (<c>(x − median) / (1.4826 · MAD)</c>,
/// which outliers do not drag along as they would a mean and standard deviation), and far outside everything the window
/// holds, by Dixon's gap ratio (the distance beyond the window's span, in widths of that span). The second test is what
/// keeps signals with heavy tails quiet: a purifier's particle count that jumps by ten MADs whenever someone cooks, a heater
/// whose power is 0 or 2 kW, a room that warms for an hour after its set-point changed — each new reading is near what the
/// window has seen, even when far from its median.
/// <para>
/// Scores are always finite. Spreads never fall below a floor, <see cref="Tolerance"/> of the median's magnitude and at
/// least <see cref="MinScale"/>, so a window of identical readings (a set-point, a stuck sensor) still judges a change by
/// its size relative to the level; a window that never left 0 has no scale unless <see cref="MinScale"/> gives one, and
/// gives no verdict (threshold rules are the tool for such signals). NaN and infinite readings are ignored. A counter that
/// only ever rose and falls back (a device reboot resets it) restarts the window instead of alarming.
/// Allocation-free after construction.
/// </para>
/// </summary>
public sealed class RobustZScore
{
    /// <summary>The cut-off Iglewicz and Hoaglin recommend for the modified z-score.</summary>
    public const double DefaultThreshold = 3.5;

    /// <summary>Default gap beyond the window, in widths of its span, past which a reading is anomalous.</summary>
    public const double DefaultBeyond = 15;

    /// <summary>Default floor of the spread, as a share of the median's magnitude.</summary>
    public const double DefaultTolerance = 0.04;

    // 1 / Φ⁻¹(3/4): the MAD of a normal sample times this is its standard deviation.
    private const double MadToSigma = 1.482602218505602;

    // √(π/2): the mean absolute deviation of a normal sample times this is its standard deviation.
    private const double MeanAbsoluteToSigma = 1.2533141373155;

    private readonly double[] _window;
    private readonly double[] _sorted;
    private readonly double[] _deviations;
    private int _count;
    private int _next;

    /// <summary>A detector over the last <paramref name="window"/> readings, silent until <paramref name="warmUp"/> readings were seen.</summary>
    /// <param name="window">Readings kept (at least 5).</param>
    /// <param name="threshold">|z| above which a reading may be anomalous.</param>
    /// <param name="warmUp">Readings needed before any verdict; defaults to the window size.</param>
    /// <param name="tolerance">
    /// The spread never counts as less than this share of the median's magnitude: a battery at 99.8 % after a window of 100 %
    /// is not news, however small the spread of a quantised signal makes its z.
    /// </param>
    /// <param name="beyond">How far outside the window's span, in widths of it, a reading must lie to be anomalous.</param>
    /// <param name="minScale">The smallest spread, in the signal's unit, ever assumed (0: none).</param>
    public RobustZScore(int window = 40, double threshold = DefaultThreshold, int? warmUp = null, double tolerance = DefaultTolerance,
        double beyond = DefaultBeyond, double minScale = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 5);
        if (!double.IsFinite(threshold) || threshold <= 0) throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The threshold must be a positive number.");
        if (!double.IsFinite(tolerance) || tolerance < 0) throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "The tolerance must be 0 or more.");
        if (!double.IsFinite(beyond) || beyond < 0) throw new ArgumentOutOfRangeException(nameof(beyond), beyond, "The gap must be 0 or more.");
        if (!double.IsFinite(minScale) || minScale < 0) throw new ArgumentOutOfRangeException(nameof(minScale), minScale, "The minimum scale must be 0 or more.");
        var needed = warmUp ?? window;
        ArgumentOutOfRangeException.ThrowIfLessThan(needed, 5, nameof(warmUp));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(needed, window, nameof(warmUp));
        _window = new double[window];
        _sorted = new double[window];
        _deviations = new double[window];
        Threshold = threshold;
        WarmUp = needed;
        Tolerance = tolerance;
        Beyond = beyond;
        MinScale = minScale;
    }

    /// <summary>|z| above which a reading may be anomalous.</summary>
    public double Threshold { get; }

    /// <summary>Share of the median's magnitude below which the spread is not taken to fall.</summary>
    public double Tolerance { get; }

    /// <summary>Gap outside the window's span, in widths of it, above which a reading may be anomalous.</summary>
    public double Beyond { get; }

    /// <summary>The smallest spread ever assumed, in the signal's unit.</summary>
    public double MinScale { get; }

    /// <summary>Readings needed before the detector gives a verdict.</summary>
    public int WarmUp { get; }

    /// <summary>Readings in the window (at most its size).</summary>
    public int Count => _count;

    /// <summary>Scores <paramref name="value"/> against the readings before it, then adds it to the window.</summary>
    /// <remarks>A NaN or infinite reading is ignored: no verdict, and the window is left as it was.</remarks>
    public AnomalyScore Add(double value)
    {
        if (!double.IsFinite(value)) return default;
        if (IsCounterReset(value))
        {
            Restart();
            Remember(value);
            return new AnomalyScore(null, 0, Restarted: true);
        }
        var score = _count >= WarmUp ? Score(value) : default;
        Remember(value);
        return score;
    }

    /// <summary>Forgets the window (the device was away long enough that its old readings no longer describe it); warm-up starts again.</summary>
    public void Restart()
    {
        _count = 0;
        _next = 0;
    }

    /// <summary>True when the reading is far from the recent ones (|z| above the threshold) and far beyond anything they reached.</summary>
    public bool IsAnomaly(AnomalyScore score) => score.Z is { } z && Math.Abs(z) > Threshold && score.Beyond > Beyond;

    private void Remember(double value)
    {
        _window[_next] = value;
        _next = (_next + 1) % _window.Length;
        if (_count < _window.Length) _count++;
    }

    /// <summary>A full window that never went down and rose at least once, and a reading below all of it and nearer 0 than to it.</summary>
    private bool IsCounterReset(double value)
    {
        if (_count < WarmUp) return false;
        var oldest = _count < _window.Length ? 0 : _next;
        var previous = _window[oldest];
        var rose = false;
        for (var i = 1; i < _count; i++)
        {
            var current = _window[(oldest + i) % _window.Length];
            if (current < previous) return false;
            rose |= current > previous;
            previous = current;
        }
        var lowest = _window[oldest];
        return rose && value < lowest && Math.Abs(value) < Difference(lowest, value);
    }

    private AnomalyScore Score(double value)
    {
        var n = _count;
        var sorted = _sorted.AsSpan(0, n);
        _window.AsSpan(0, n).CopyTo(sorted);
        sorted.Sort();
        var median = Median(sorted);
        var floor = Math.Max(Tolerance * Math.Abs(median), MinScale);

        var deviations = _deviations.AsSpan(0, n);
        for (var i = 0; i < n; i++) deviations[i] = Difference(sorted[i], median);
        deviations.Sort();
        var spread = MadToSigma * Median(deviations);
        if (spread == 0)
        {
            // More than half the window is one value: the mean absolute deviation still sees the rest.
            double meanAbsolute = 0;
            for (var i = 0; i < n; i++) meanAbsolute += deviations[i] / n;
            spread = MeanAbsoluteToSigma * meanAbsolute;
        }
        spread = Math.Max(spread, floor);
        var z = spread > 0 ? Finite((value - median) / spread) : 0;

        var width = Math.Max(Difference(sorted[n - 1], sorted[0]), floor);
        var gap = value > sorted[n - 1] ? Difference(value, sorted[n - 1]) : value < sorted[0] ? Difference(sorted[0], value) : 0;
        var beyond = width > 0 ? Finite(gap / width) : 0;
        return new AnomalyScore(z, beyond);
    }

    /// <summary>|a − b|, kept finite when the two are at opposite ends of the double range.</summary>
    private static double Difference(double a, double b) => Finite(Math.Abs(a - b));

    private static double Finite(double value) => double.IsFinite(value) ? value : double.IsNaN(value) ? 0 : Math.CopySign(double.MaxValue, value);

    private static double Median(Span<double> sorted)
    {
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : sorted[middle - 1] / 2 + sorted[middle] / 2;
    }
}
