using System.Runtime.CompilerServices;

namespace SmartCrm.Analytics.Recommendation;

/// <summary>
/// SVD++ (Koren 2008): biased matrix factorisation whose user vector also sums implicit factors y_j of every
/// item the user rated, r̂ = μ + b_u + b_i + q_iᵀ(p_u + |N(u)|^−½ Σ_j y_j). Trained by SGD user by user: the
/// implicit sum is formed once per user and epoch and the y_j receive the user's summed gradient at the end,
/// which costs O(ratings · factors) per epoch instead of O(Σ_u |N(u)|² · factors).
/// </summary>
public sealed class SvdPlusPlus : IRatingPredictor
{
    private readonly RatingTable _table;
    private readonly float[] _userBias;
    private readonly float[] _itemBias;
    private readonly float[] _userFactors;
    private readonly float[] _itemFactors;
    private readonly float[] _implicitFactors;
    private readonly int _factors;

    private SvdPlusPlus(RatingTable table, float[] userBias, float[] itemBias, float[] userFactors, float[] itemFactors, float[] implicitFactors, int factors)
    {
        this._table = table;
        this._userBias = userBias;
        this._itemBias = itemBias;
        this._userFactors = userFactors;
        this._itemFactors = itemFactors;
        this._implicitFactors = implicitFactors;
        this._factors = factors;
    }

    /// <summary>Fits the model.</summary>
    /// <param name="ratings">Training ratings; the items each user rated are the implicit feedback.</param>
    /// <param name="options">Factors, epochs, step size, regularisation, seed.</param>
    /// <param name="progress">Receives the epoch number after each epoch.</param>
    /// <param name="cancellationToken">Stops between epochs.</param>
    /// <exception cref="ArgumentException">Invalid options.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static SvdPlusPlus Fit(RatingTable ratings, FactorizationOptions options, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ratings);
        FactorizationOptions.Check(options);
        var f = options.Factors;
        var random = new Random(options.Seed);
        var p = FactorMath.Noise(ratings.UserCount * f, options.InitialDeviation, random);
        var q = FactorMath.Noise(ratings.ItemCount * f, options.InitialDeviation, random);
        var y = FactorMath.Noise(ratings.ItemCount * f, options.InitialDeviation, random);
        var bu = new float[ratings.UserCount];
        var bi = new float[ratings.ItemCount];
        var mean = (float)ratings.GlobalMean;
        var regularization = (float)options.Regularization;
        var biasRegularization = (float)(options.BiasRegularization ?? options.Regularization);
        var biasRate = options.BiasLearningRate ?? options.LearningRate;
        var userOrder = new int[ratings.UserCount];
        for (var u = 0; u < userOrder.Length; u++) userOrder[u] = u;
        var ratingOrder = new int[ratings.Count];
        var implicitSum = new float[f];
        var combined = new float[f];
        var implicitGradient = new float[f];
        var rate = options.LearningRate;
        for (var epoch = 1; epoch <= options.Epochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            random.Shuffle(userOrder);
            var lr = (float)rate;
            var biasLr = (float)biasRate;
            foreach (var u in userOrder)
            {
                int start = ratings.UserStart[u], end = ratings.UserStart[u + 1];
                var count = end - start;
                var norm = 1 / MathF.Sqrt(count);
                Array.Clear(implicitSum);
                for (var r = start; r < end; r++) FactorMath.AddScaled(implicitSum, y.AsSpan(ratings.ByUserItem[r] * f, f), norm);
                Array.Clear(implicitGradient);
                var pu = p.AsSpan(u * f, f);
                for (var r = start; r < end; r++) ratingOrder[r] = r;
                random.Shuffle(ratingOrder.AsSpan(start, count));
                for (var n = start; n < end; n++)
                {
                    var r = ratingOrder[n];
                    var i = ratings.ByUserItem[r];
                    var qi = q.AsSpan(i * f, f);
                    for (var k = 0; k < f; k++) combined[k] = pu[k] + implicitSum[k];
                    var error = ratings.ByUserValue[r] - (mean + bu[u] + bi[i] + FactorMath.Dot(qi, combined));
                    bu[u] += biasLr * (error - biasRegularization * bu[u]);
                    bi[i] += biasLr * (error - biasRegularization * bi[i]);
                    FactorMath.AddScaled(implicitGradient, qi, error * norm);
                    for (var k = 0; k < f; k++)
                    {
                        var puk = pu[k];
                        var qik = qi[k];
                        pu[k] = puk + lr * (error * qik - regularization * puk);
                        qi[k] = qik + lr * (error * combined[k] - regularization * qik);
                    }
                }
                // The user's implicit items share the summed gradient, each with its own decay.
                for (var r = start; r < end; r++)
                {
                    var yj = y.AsSpan(ratings.ByUserItem[r] * f, f);
                    for (var k = 0; k < f; k++) yj[k] += lr * (implicitGradient[k] - regularization * yj[k]);
                }
            }
            rate *= options.LearningRateDecay;
            biasRate *= options.LearningRateDecay;
            progress?.Report(epoch);
        }
        return new SvdPlusPlus(ratings, bu, bi, p, q, y, f);
    }

    /// <inheritdoc />
    public double Predict(int user, int item)
    {
        var u = _table.UserIndex(user);
        var i = _table.ItemIndex(item);
        double estimate = _table.GlobalMean;
        if (u >= 0) estimate += _userBias[u];
        if (i >= 0) estimate += _itemBias[i];
        if (u >= 0 && i >= 0)
        {
            int start = _table.UserStart[u], end = _table.UserStart[u + 1];
            var norm = 1 / MathF.Sqrt(end - start);
            var combined = _userFactors.AsSpan(u * _factors, _factors).ToArray();
            for (var r = start; r < end; r++) FactorMath.AddScaled(combined, _implicitFactors.AsSpan(_table.ByUserItem[r] * _factors, _factors), norm);
            estimate += FactorMath.Dot(_itemFactors.AsSpan(i * _factors, _factors), combined);
        }
        return Math.Clamp(estimate, _table.MinRating, _table.MaxRating);
    }
}
