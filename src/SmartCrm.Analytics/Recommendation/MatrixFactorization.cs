using System.Runtime.CompilerServices;

namespace SmartCrm.Analytics.Recommendation;

/// <summary>Settings for <see cref="MatrixFactorization"/> and <see cref="SvdPlusPlus"/>.</summary>
public sealed record FactorizationOptions
{
    /// <summary>Latent factors per user and item.</summary>
    public int Factors { get; init; } = 100;

    /// <summary>Passes of stochastic gradient descent over the ratings.</summary>
    public int Epochs { get; init; } = 20;

    /// <summary>Step size of the first epoch.</summary>
    public double LearningRate { get; init; } = 0.005;

    /// <summary>Each epoch's step size is the previous one times this (1 keeps it constant).</summary>
    public double LearningRateDecay { get; init; } = 1;

    /// <summary>L2 penalty on biases and factors.</summary>
    public double Regularization { get; init; } = 0.02;

    /// <summary>Step size of the biases in the first epoch, when it should differ from the factors' (null: <see cref="LearningRate"/>); decays alike.</summary>
    public double? BiasLearningRate { get; init; }

    /// <summary>L2 penalty on the biases, when it should differ from the factors' (null: <see cref="Regularization"/>).</summary>
    public double? BiasRegularization { get; init; }

    /// <summary>Standard deviation of the initial factors.</summary>
    public double InitialDeviation { get; init; } = 0.1;

    /// <summary>Seed for the initial factors and the order of ratings in each epoch.</summary>
    public int Seed { get; init; }

    internal static void Check(FactorizationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Factors < 1) throw new ArgumentException($"Factors must be at least 1 (was {options.Factors}).", nameof(options));
        if (options.Epochs < 1) throw new ArgumentException($"Epochs must be at least 1 (was {options.Epochs}).", nameof(options));
        if (!(options.LearningRate > 0 && options.LearningRate < 1)) throw new ArgumentException($"LearningRate must be in (0, 1) (was {options.LearningRate}).", nameof(options));
        if (!(options.LearningRateDecay > 0 && options.LearningRateDecay <= 1)) throw new ArgumentException($"LearningRateDecay must be in (0, 1] (was {options.LearningRateDecay}).", nameof(options));
        if (!(options.Regularization >= 0)) throw new ArgumentException($"Regularization must not be negative (was {options.Regularization}).", nameof(options));
        if (options.BiasLearningRate is { } biasRate && !(biasRate > 0 && biasRate < 1)) throw new ArgumentException($"BiasLearningRate must be in (0, 1) (was {biasRate}).", nameof(options));
        if (options.BiasRegularization is { } biasPenalty && !(biasPenalty >= 0)) throw new ArgumentException($"BiasRegularization must not be negative (was {biasPenalty}).", nameof(options));
        if (!(options.InitialDeviation >= 0)) throw new ArgumentException($"InitialDeviation must not be negative (was {options.InitialDeviation}).", nameof(options));
    }
}

/// <summary>
/// Biased matrix factorisation ("SVD" in Funk's and Surprise's sense): r̂ = μ + b_u + b_i + q_iᵀp_u, fitted by
/// stochastic gradient descent over the ratings in a shuffled order each epoch.
/// </summary>
public sealed class MatrixFactorization : IRatingPredictor
{
    private readonly RatingTable _table;
    private readonly float[] _userBias;
    private readonly float[] _itemBias;
    private readonly float[] _userFactors;
    private readonly float[] _itemFactors;
    private readonly int _factors;

    private MatrixFactorization(RatingTable table, float[] userBias, float[] itemBias, float[] userFactors, float[] itemFactors, int factors)
    {
        this._table = table;
        this._userBias = userBias;
        this._itemBias = itemBias;
        this._userFactors = userFactors;
        this._itemFactors = itemFactors;
        this._factors = factors;
    }

    /// <summary>Fits the model.</summary>
    /// <param name="ratings">Training ratings.</param>
    /// <param name="options">Factors, epochs, step size, regularisation, seed.</param>
    /// <param name="progress">Receives the epoch number after each epoch.</param>
    /// <param name="cancellationToken">Stops between epochs.</param>
    /// <exception cref="ArgumentException">Invalid options.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static MatrixFactorization Fit(RatingTable ratings, FactorizationOptions options, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ratings);
        FactorizationOptions.Check(options);
        var f = options.Factors;
        var random = new Random(options.Seed);
        var p = FactorMath.Noise(ratings.UserCount * f, options.InitialDeviation, random);
        var q = FactorMath.Noise(ratings.ItemCount * f, options.InitialDeviation, random);
        var bu = new float[ratings.UserCount];
        var bi = new float[ratings.ItemCount];
        var mean = (float)ratings.GlobalMean;
        var regularization = (float)options.Regularization;
        var biasRegularization = (float)(options.BiasRegularization ?? options.Regularization);
        var order = new int[ratings.Count];
        for (var r = 0; r < order.Length; r++) order[r] = r;
        var rate = options.LearningRate;
        var biasRate = options.BiasLearningRate ?? options.LearningRate;
        for (var epoch = 1; epoch <= options.Epochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            random.Shuffle(order);
            var lr = (float)rate;
            var biasLr = (float)biasRate;
            foreach (var r in order)
            {
                var u = ratings.Users[r];
                var i = ratings.Items[r];
                var pu = p.AsSpan(u * f, f);
                var qi = q.AsSpan(i * f, f);
                var error = ratings.Values[r] - (mean + bu[u] + bi[i] + FactorMath.Dot(pu, qi));
                bu[u] += biasLr * (error - biasRegularization * bu[u]);
                bi[i] += biasLr * (error - biasRegularization * bi[i]);
                FactorMath.Step(pu, qi, error, lr, regularization);
            }
            rate *= options.LearningRateDecay;
            biasRate *= options.LearningRateDecay;
            progress?.Report(epoch);
        }
        return new MatrixFactorization(ratings, bu, bi, p, q, f);
    }

    /// <inheritdoc />
    public double Predict(int user, int item)
    {
        var u = _table.UserIndex(user);
        var i = _table.ItemIndex(item);
        double estimate = _table.GlobalMean;
        if (u >= 0) estimate += _userBias[u];
        if (i >= 0) estimate += _itemBias[i];
        if (u >= 0 && i >= 0) estimate += FactorMath.Dot(_userFactors.AsSpan(u * _factors, _factors), _itemFactors.AsSpan(i * _factors, _factors));
        return Math.Clamp(estimate, _table.MinRating, _table.MaxRating);
    }
}
