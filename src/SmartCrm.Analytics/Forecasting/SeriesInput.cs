namespace SmartCrm.Analytics.Forecasting;

/// <summary>Checks on series handed to the forecasting models.</summary>
internal static class SeriesInput
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first NaN or infinite value.</summary>
    public static void RequireFinite(ReadOnlySpan<double> series, string parameter)
    {
        for (var i = 0; i < series.Length; i++)
            if (!double.IsFinite(series[i]))
                throw new ArgumentException($"The series has a non-finite value ({series[i]}) at index {i}; forecasting needs finite numbers everywhere.", parameter);
    }

    /// <summary>
    /// True when the values do not vary, with R's all.equal tolerance (mean relative difference below 1.5e-8),
    /// as forecast::is.constant.
    /// </summary>
    public static bool IsConstant(ReadOnlySpan<double> series)
    {
        if (series.Length <= 1) return true;
        var first = series[0];
        double sumDifference = 0, sumScale = 0;
        foreach (var v in series)
        {
            sumDifference += Math.Abs(v - first);
            sumScale += Math.Abs(v);
        }
        var meanScale = sumScale / series.Length;
        var meanDifference = sumDifference / series.Length;
        return meanScale > 1.5e-8 ? meanDifference / meanScale < 1.5e-8 : meanDifference < 1.5e-8;
    }
}
