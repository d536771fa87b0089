using MathNet.Numerics.LinearAlgebra;

namespace SmartCrm.Analytics.Text;

/// <summary>How the latent semantic space is computed (randomised SVD parameters as scikit-learn's TruncatedSVD).</summary>
public sealed record LatentSemanticOptions
{
    /// <summary>Extra random directions sampled beyond the dimensions asked for.</summary>
    public int Oversampling { get; init; } = 10;

    /// <summary>Power iterations (each sharpens the separation of the leading singular values).</summary>
    public int PowerIterations { get; init; } = 5;

    /// <summary>Seed of the random test matrix.</summary>
    public int Seed { get; init; }
}

/// <summary>
/// Latent semantic analysis: the leading singular vectors of a TF-IDF matrix, found by randomised SVD (Halko,
/// Martinsson &amp; Tropp 2011, with QR-normalised power iterations). Documents projected into this space are
/// similar when they use related terms, not only the same ones.
/// </summary>
public sealed class LatentSemanticSpace
{
    private readonly double[] _components; // Columns × Dimensions, term-major: row j holds term j's loading on every dimension
    private readonly double[] _singularValues;

    private LatentSemanticSpace(double[] components, double[] singularValues, int columns)
    {
        this._components = components;
        this._singularValues = singularValues;
        Columns = columns;
    }

    /// <summary>Number of latent dimensions.</summary>
    public int Dimensions => _singularValues.Length;

    /// <summary>Number of terms (columns of the matrices it projects).</summary>
    public int Columns { get; }

    /// <summary>The singular values, largest first.</summary>
    public ReadOnlySpan<double> SingularValues => _singularValues;

    /// <summary>Finds the <paramref name="dimensions"/> leading singular directions of <paramref name="x"/> (documents × terms).</summary>
    public static LatentSemanticSpace Fit(CsrMatrix x, int dimensions, LatentSemanticOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        options ??= new LatentSemanticOptions();
        if (options.Oversampling < 0 || options.PowerIterations < 0) throw new ArgumentException("LatentSemanticOptions: oversampling and power iterations must be ≥ 0.", nameof(options));
        var (n, m) = (x.Rows, x.Columns);
        if (dimensions < 1 || dimensions > Math.Min(n, m))
            throw new ArgumentOutOfRangeException(nameof(dimensions), dimensions, $"LatentSemanticSpace.Fit: dimensions must be in 1..{Math.Min(n, m)} for a {n} × {m} matrix.");
        var width = Math.Min(dimensions + options.Oversampling, Math.Min(n, m));

        var random = new Random(options.Seed);
        var omega = new double[m * width];
        for (var i = 0; i < omega.Length; i++) omega[i] = Gaussian(random);
        var y = new double[n * width];
        var z = new double[m * width];
        x.Multiply(omega, width, y);
        var q = Orthonormalise(y, n, width, null);
        for (var it = 0; it < options.PowerIterations; it++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            x.MultiplyTransposed(q, width, z);
            var zq = Orthonormalise(z, m, width, null);
            x.Multiply(zq, width, y);
            q = Orthonormalise(y, n, width, null);
        }
        // B = Qᵀ A is width × m; its transpose Aᵀ Q = Q₂ R, so B = Rᵀ Q₂ᵀ and the SVD of the small Rᵀ gives B's.
        x.MultiplyTransposed(q, width, z);
        var r = new double[width * width];
        var q2 = Orthonormalise(z, m, width, r);
        var rt = Matrix<double>.Build.Dense(width, width, (i, j) => r[i * width + j]); // r is R column-major, so this reads Rᵀ
        var svd = rt.Svd(computeVectors: true);
        var w = svd.VT.Transpose();
        var u = svd.U;

        var components = new double[m * dimensions];
        for (var j = 0; j < m; j++)
            for (var c = 0; c < dimensions; c++)
            {
                double sum = 0;
                for (var i = 0; i < width; i++) sum += q2[j * width + i] * w[i, c];
                components[j * dimensions + c] = sum;
            }
        // Sign convention of scikit-learn's svd_flip: the largest document loading of each dimension is positive.
        for (var c = 0; c < dimensions; c++)
        {
            double best = 0;
            for (var row = 0; row < n; row++)
            {
                double loading = 0;
                for (var i = 0; i < width; i++) loading += q[row * width + i] * u[i, c];
                if (Math.Abs(loading) > Math.Abs(best)) best = loading;
            }
            if (best < 0) for (var j = 0; j < m; j++) components[j * dimensions + c] = -components[j * dimensions + c];
        }
        var singular = new double[dimensions];
        for (var c = 0; c < dimensions; c++) singular[c] = svd.S[c];
        return new LatentSemanticSpace(components, singular, m);
    }

    /// <summary>The coordinates of one row in the latent space (row · V, as TruncatedSVD.transform).</summary>
    public double[] Project(SparseVector row)
    {
        var result = new double[Dimensions];
        for (var p = 0; p < row.Count; p++)
        {
            var j = row.Indices[p];
            if ((uint)j < (uint)Columns) VectorMath.AddScaled(result, _components.AsSpan(j * Dimensions, Dimensions), row.Values[p]);
        }
        return result;
    }

    /// <summary>The coordinates of every row of <paramref name="x"/>.</summary>
    public double[][] Project(CsrMatrix x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var result = new double[x.Rows][];
        for (var r = 0; r < x.Rows; r++) result[r] = Project(x.Row(r));
        return result;
    }

    /// <summary>The loading of every term on dimension <paramref name="dimension"/>.</summary>
    public double[] Component(int dimension)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(dimension);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(dimension, Dimensions);
        var result = new double[Columns];
        for (var j = 0; j < Columns; j++) result[j] = _components[j * Dimensions + dimension];
        return result;
    }

    /// <summary>
    /// Orthonormalises the columns of a row-major rows × width matrix by modified Gram–Schmidt run twice ("twice is
    /// enough" for orthogonality to machine precision); returns the row-major Q and fills the column-major R when asked.
    /// </summary>
    private static double[] Orthonormalise(double[] rowMajor, int rows, int width, double[]? r)
    {
        var columns = new double[rows * width];
        for (var i = 0; i < rows; i++)
            for (var c = 0; c < width; c++) columns[c * rows + i] = rowMajor[i * width + c];
        for (var c = 0; c < width; c++)
        {
            var a = columns.AsSpan(c * rows, rows);
            for (var pass = 0; pass < 2; pass++)
                for (var prior = 0; prior < c; prior++)
                {
                    var qPrior = columns.AsSpan(prior * rows, rows);
                    var projection = VectorMath.Dot(qPrior, a);
                    VectorMath.AddScaled(a, qPrior, -projection);
                    if (r is not null) r[c * width + prior] += projection;
                }
            var norm = Math.Sqrt(VectorMath.Dot(a, a));
            if (r is not null) r[c * width + c] = norm;
            if (norm > 1e-300) for (var i = 0; i < rows; i++) a[i] /= norm;
            else a.Clear();
        }
        var result = new double[rows * width];
        for (var i = 0; i < rows; i++)
            for (var c = 0; c < width; c++) result[i * width + c] = columns[c * rows + i];
        return result;
    }

    private static double Gaussian(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
