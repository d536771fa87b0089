using System.Runtime.CompilerServices;

namespace SmartCrm.Analytics.Recommendation;

/// <summary>Settings for <see cref="ImplicitAls"/>.</summary>
public sealed record ImplicitAlsOptions
{
    /// <summary>Latent factors per user and item.</summary>
    public int Factors { get; init; } = 50;

    /// <summary>Alternating passes (users, then items).</summary>
    public int Iterations { get; init; } = 15;

    /// <summary>L2 penalty λ on the factors.</summary>
    public double Regularization { get; init; } = 0.1;

    /// <summary>Confidence of an observed interaction is 1 + Alpha (unobserved ones have confidence 1 and preference 0).</summary>
    public double Alpha { get; init; } = 10;

    /// <summary>Conjugate-gradient steps per row and pass (Takács et al.); 3 is the usual choice.</summary>
    public int ConjugateGradientSteps { get; init; } = 3;

    /// <summary>Seed for the initial factors.</summary>
    public int Seed { get; init; }
}

/// <summary>
/// Matrix factorisation for implicit feedback (Hu, Koren and Volinsky 2008): every item a user rated is a
/// positive with confidence 1 + α, every other item a weak negative, and the weighted least-squares problem is
/// solved by alternating over users and items. Each row is updated with a few conjugate-gradient steps, which
/// needs only the Gram matrix YᵀY and the row's own interactions.
/// </summary>
public sealed class ImplicitAls : TableScorer
{
    private readonly double[] _userFactors;
    private readonly double[] _itemFactors;
    private readonly int _factors;

    private ImplicitAls(RatingTable table, double[] userFactors, double[] itemFactors, int factors)
        : base(table)
    {
        this._userFactors = userFactors;
        this._itemFactors = itemFactors;
        this._factors = factors;
    }

    /// <summary>Fits the factors.</summary>
    /// <exception cref="ArgumentException">Invalid options.</exception>
    public static ImplicitAls Fit(RatingTable ratings, ImplicitAlsOptions options, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ratings);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Factors < 1) throw new ArgumentException($"Factors must be at least 1 (was {options.Factors}).", nameof(options));
        if (options.Iterations < 1) throw new ArgumentException($"Iterations must be at least 1 (was {options.Iterations}).", nameof(options));
        if (!(options.Regularization >= 0)) throw new ArgumentException($"Regularization must not be negative (was {options.Regularization}).", nameof(options));
        if (!(options.Alpha >= 0)) throw new ArgumentException($"Alpha must not be negative (was {options.Alpha}).", nameof(options));
        if (options.ConjugateGradientSteps < 1) throw new ArgumentException($"ConjugateGradientSteps must be at least 1 (was {options.ConjugateGradientSteps}).", nameof(options));
        var f = options.Factors;
        var random = new Random(options.Seed);
        var users = new double[ratings.UserCount * f];
        var items = new double[ratings.ItemCount * f];
        // Centred noise: all-positive starts make every row nearly parallel and slow the split into tastes.
        for (var i = 0; i < users.Length; i++) users[i] = (random.NextDouble() - 0.5) * 0.02;
        for (var i = 0; i < items.Length; i++) items[i] = (random.NextDouble() - 0.5) * 0.02;

        // Rows of each side: who interacted with whom.
        var userStart = ratings.UserStart;
        var userItems = ratings.ByUserItem;
        var itemStart = new int[ratings.ItemCount + 1];
        foreach (var i in ratings.Items) itemStart[i + 1]++;
        for (var i = 0; i < ratings.ItemCount; i++) itemStart[i + 1] += itemStart[i];
        var itemUsers = new int[ratings.Count];
        var next = (int[])itemStart.Clone();
        for (var r = 0; r < ratings.Count; r++) itemUsers[next[ratings.Items[r]]++] = ratings.Users[r];

        var solver = new RowSolver(f, options.Regularization, options.Alpha, options.ConjugateGradientSteps);
        for (var iteration = 1; iteration <= options.Iterations; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            solver.Update(users, items, userStart, userItems);
            solver.Update(items, users, itemStart, itemUsers);
            progress?.Report(iteration);
        }
        return new ImplicitAls(ratings, users, items, f);
    }

    /// <inheritdoc />
    protected override double[] ScoresByIndex(int u)
    {
        var scores = new double[Table.ItemCount];
        if (u < 0) return scores;
        var x = _userFactors.AsSpan(u * _factors, _factors);
        for (var i = 0; i < scores.Length; i++)
        {
            var y = _itemFactors.AsSpan(i * _factors, _factors);
            double dot = 0;
            for (var k = 0; k < _factors; k++) dot += x[k] * y[k];
            scores[i] = dot;
        }
        return scores;
    }

    /// <summary>Solves (YᵀY + Yᵀ(C−I)Y + λI) x = YᵀC p for each row x with conjugate gradient, warm-started.</summary>
    private sealed class RowSolver(int f, double regularization, double alpha, int steps)
    {
        private readonly double[] _gram = new double[f * f];
        private readonly double[] _residual = new double[f];
        private readonly double[] _direction = new double[f];
        private readonly double[] _product = new double[f];

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Update(double[] rows, double[] other, int[] start, int[] partners)
        {
            var otherCount = other.Length / f;
            Array.Clear(_gram);
            for (var j = 0; j < otherCount; j++)
            {
                var y = other.AsSpan(j * f, f);
                for (var a = 0; a < f; a++)
                {
                    var ya = y[a];
                    var row = _gram.AsSpan(a * f, f);
                    for (var b = 0; b < f; b++) row[b] += ya * y[b];
                }
            }
            var rowCount = rows.Length / f;
            for (var u = 0; u < rowCount; u++)
            {
                var x = rows.AsSpan(u * f, f);
                // residual = b − A x, with b = (1 + α) Σ y_j over the row's partners.
                Multiply(x, other, partners.AsSpan(start[u], start[u + 1] - start[u]), _product);
                for (var k = 0; k < f; k++) _residual[k] = -_product[k];
                for (var n = start[u]; n < start[u + 1]; n++)
                {
                    var y = other.AsSpan(partners[n] * f, f);
                    for (var k = 0; k < f; k++) _residual[k] += (1 + alpha) * y[k];
                }
                _residual.CopyTo(_direction, 0);
                var rr = Dot(_residual, _residual);
                for (var step = 0; step < steps && rr > 1e-20; step++)
                {
                    Multiply(_direction, other, partners.AsSpan(start[u], start[u + 1] - start[u]), _product);
                    var length = rr / Dot(_direction, _product);
                    for (var k = 0; k < f; k++)
                    {
                        x[k] += length * _direction[k];
                        _residual[k] -= length * _product[k];
                    }
                    var next = Dot(_residual, _residual);
                    for (var k = 0; k < f; k++) _direction[k] = _residual[k] + next / rr * _direction[k];
                    rr = next;
                }
            }
        }

        /// <summary>result = (YᵀY + λI) v + α Σ_j (y_j·v) y_j over the row's partners.</summary>
        private void Multiply(ReadOnlySpan<double> v, double[] other, ReadOnlySpan<int> partners, double[] result)
        {
            for (var a = 0; a < f; a++)
            {
                var row = _gram.AsSpan(a * f, f);
                double sum = 0;
                for (var b = 0; b < f; b++) sum += row[b] * v[b];
                result[a] = sum + regularization * v[a];
            }
            foreach (var j in partners)
            {
                var y = other.AsSpan(j * f, f);
                var weight = alpha * Dot(y, v);
                for (var k = 0; k < f; k++) result[k] += weight * y[k];
            }
        }

        private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
        {
            double sum = 0;
            for (var k = 0; k < a.Length; k++) sum += a[k] * b[k];
            return sum;
        }
    }
}
