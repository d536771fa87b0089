namespace SmartCrm.Analytics.Clustering;

/// <summary>
/// A per-feature linear rescaling <c>(x − Offset) / Factor</c>, fitted on one set of points and applied to
/// any other with the same features, so distances weigh every feature alike.
/// </summary>
public sealed class FeatureScaling
{
    private readonly double[] _offsets;
    private readonly double[] _factors;

    private FeatureScaling(double[] offsets, double[] factors)
    {
        this._offsets = offsets;
        this._factors = factors;
    }

    /// <summary>What is subtracted from each feature (the mean, or the minimum).</summary>
    public IReadOnlyList<double> Offsets => _offsets;

    /// <summary>What each feature is then divided by (the standard deviation, or the range); 1 for a constant feature.</summary>
    public IReadOnlyList<double> Factors => _factors;

    /// <summary>
    /// z-scores: subtract the mean, divide by the population standard deviation (numpy's std, as scikit-learn's
    /// StandardScaler uses). A constant feature gets factor 1 and so becomes all zeros rather than NaN.
    /// </summary>
    /// <exception cref="ArgumentException">No rows, no columns, or a value that is not finite.</exception>
    public static FeatureScaling ZScore(double[,] points)
    {
        Check(points);
        int rows = points.GetLength(0), columns = points.GetLength(1);
        var means = new double[columns];
        var deviations = new double[columns];
        for (var i = 0; i < rows; i++) for (var j = 0; j < columns; j++) means[j] += points[i, j];
        for (var j = 0; j < columns; j++) means[j] /= rows;
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < columns; j++)
            {
                var d = points[i, j] - means[j];
                deviations[j] += d * d;
            }
        }
        for (var j = 0; j < columns; j++)
        {
            var deviation = Math.Sqrt(deviations[j] / rows);
            deviations[j] = deviation > 0 ? deviation : 1;
        }
        return new FeatureScaling(means, deviations);
    }

    /// <summary>
    /// Min-max: subtract the minimum, divide by the range, so the fitted points span [0, 1].
    /// A constant feature gets factor 1 and becomes all zeros.
    /// </summary>
    /// <exception cref="ArgumentException">No rows, no columns, or a value that is not finite.</exception>
    public static FeatureScaling MinMax(double[,] points)
    {
        Check(points);
        int rows = points.GetLength(0), columns = points.GetLength(1);
        var minimum = new double[columns];
        var range = new double[columns];
        for (var j = 0; j < columns; j++)
        {
            double low = points[0, j], high = points[0, j];
            for (var i = 1; i < rows; i++)
            {
                low = Math.Min(low, points[i, j]);
                high = Math.Max(high, points[i, j]);
            }
            minimum[j] = low;
            range[j] = high > low ? high - low : 1;
        }
        return new FeatureScaling(minimum, range);
    }

    /// <summary>Rescales <paramref name="points"/> into a new matrix.</summary>
    /// <exception cref="ArgumentException">The column count differs from the fitted one, or a value is not finite.</exception>
    public double[,] Apply(double[,] points)
    {
        Check(points);
        int rows = points.GetLength(0), columns = points.GetLength(1);
        if (columns != _offsets.Length)
        {
            throw new ArgumentException($"Points have {columns} features but the scaling was fitted on {_offsets.Length}.", nameof(points));
        }
        var result = new double[rows, columns];
        for (var i = 0; i < rows; i++) for (var j = 0; j < columns; j++) result[i, j] = (points[i, j] - _offsets[j]) / _factors[j];
        return result;
    }

    private static void Check(double[,] points)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.GetLength(0) == 0) throw new ArgumentException("No points: the matrix has no rows.", nameof(points));
        if (points.GetLength(1) == 0) throw new ArgumentException("No features: the matrix has no columns.", nameof(points));
        for (var i = 0; i < points.GetLength(0); i++)
        {
            for (var j = 0; j < points.GetLength(1); j++)
            {
                if (!double.IsFinite(points[i, j])) throw new ArgumentException($"Point {i}, feature {j} is {points[i, j]}: every value must be a finite number.", nameof(points));
            }
        }
    }
}
