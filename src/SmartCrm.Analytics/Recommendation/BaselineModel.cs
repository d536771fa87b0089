namespace SmartCrm.Analytics.Recommendation;

/// <summary>Settings for <see cref="BaselineModel"/> (Surprise's BaselineOnly defaults).</summary>
public sealed record BaselineOptions
{
    /// <summary>Alternating passes over users and items.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Shrinkage of user biases towards 0.</summary>
    public double UserRegularization { get; init; } = 15;

    /// <summary>Shrinkage of item biases towards 0.</summary>
    public double ItemRegularization { get; init; } = 10;
}

/// <summary>
/// The baseline predictor μ + b_u + b_i: global mean plus a user and an item bias, fitted by alternating least
/// squares with shrinkage (Koren 2010; Surprise's BaselineOnly).
/// </summary>
public sealed class BaselineModel : IRatingPredictor
{
    private readonly RatingTable _table;
    private readonly double[] _userBias;
    private readonly double[] _itemBias;

    private BaselineModel(RatingTable table, double[] userBias, double[] itemBias)
    {
        this._table = table;
        this._userBias = userBias;
        this._itemBias = itemBias;
    }

    /// <summary>Fits the biases.</summary>
    /// <exception cref="ArgumentException">Epochs below 1 or negative regularisation.</exception>
    public static BaselineModel Fit(RatingTable ratings, BaselineOptions options)
    {
        ArgumentNullException.ThrowIfNull(ratings);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Epochs < 1) throw new ArgumentException($"Epochs must be at least 1 (was {options.Epochs}).", nameof(options));
        if (!(options.UserRegularization >= 0 && options.ItemRegularization >= 0)) throw new ArgumentException("Regularisation must not be negative.", nameof(options));
        var (users, items) = Biases(ratings, options.Epochs, options.UserRegularization, options.ItemRegularization);
        return new BaselineModel(ratings, users, items);
    }

    internal static (double[] Users, double[] Items) Biases(RatingTable ratings, int epochs, double userRegularization, double itemRegularization)
    {
        var mean = ratings.GlobalMean;
        var users = new double[ratings.UserCount];
        var items = new double[ratings.ItemCount];
        var sums = new double[Math.Max(ratings.UserCount, ratings.ItemCount)];
        var counts = new int[sums.Length];
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            Array.Clear(sums);
            Array.Clear(counts);
            for (var r = 0; r < ratings.Count; r++)
            {
                sums[ratings.Items[r]] += ratings.Values[r] - mean - users[ratings.Users[r]];
                counts[ratings.Items[r]]++;
            }
            for (var i = 0; i < items.Length; i++) items[i] = sums[i] / (itemRegularization + counts[i]);
            Array.Clear(sums);
            Array.Clear(counts);
            for (var r = 0; r < ratings.Count; r++)
            {
                sums[ratings.Users[r]] += ratings.Values[r] - mean - items[ratings.Items[r]];
                counts[ratings.Users[r]]++;
            }
            for (var u = 0; u < users.Length; u++) users[u] = sums[u] / (userRegularization + counts[u]);
        }
        return (users, items);
    }

    /// <inheritdoc />
    public double Predict(int user, int item)
    {
        var u = _table.UserIndex(user);
        var i = _table.ItemIndex(item);
        var estimate = _table.GlobalMean + (u >= 0 ? _userBias[u] : 0) + (i >= 0 ? _itemBias[i] : 0);
        return Math.Clamp(estimate, _table.MinRating, _table.MaxRating);
    }
}
