using FsCheck.Xunit;
using MathNet.Numerics.LinearAlgebra;
using SmartCrm.Analytics.Forecasting;

namespace SmartCrm.Analytics.Tests.Forecasting;

public class ArimaStateSpaceTests
{
    private static double ConcentratedLogLikelihood(double[] y, ArimaOrder order, double[] coefficients)
    {
        var sums = new ArimaEstimator(y, order, includeConstant: false).Evaluate(coefficients);
        sums.Concentrate(out _, out var sigma2).ShouldBeTrue();
        return sums.LogLikelihood(sigma2);
    }

    /// <summary>Exact Gaussian log-likelihood from the dense covariance matrix, σ² concentrated out.</summary>
    private static double DenseLogLikelihood(double[] y, Func<int, double> autocovariance)
    {
        var n = y.Length;
        var sigma = Matrix<double>.Build.Dense(n, n, (i, j) => autocovariance(Math.Abs(i - j)));
        var cholesky = sigma.Cholesky();
        var v = Vector<double>.Build.DenseOfArray(y);
        var quadratic = v.DotProduct(cholesky.Solve(v));
        var sigma2 = quadratic / n;
        return -0.5 * n * (Math.Log(2 * Math.PI * sigma2) + 1) - 0.5 * cholesky.DeterminantLn;
    }

    [Fact]
    public void Ar1_likelihood_equals_the_closed_form()
    {
        var y = Series.SimulateArma(80, [0.5], [], seed: 5);
        const double phi = 0.35;

        // S = (1 − φ²) y₁² + Σ (y_t − φ y_{t−1})², log L = −n/2 (log 2πS/n + 1) + ½ log(1 − φ²).
        var s = (1 - phi * phi) * y[0] * y[0];
        for (var t = 1; t < y.Length; t++) s += Math.Pow(y[t] - phi * y[t - 1], 2);
        var expected = -0.5 * y.Length * (Math.Log(2 * Math.PI * s / y.Length) + 1) + 0.5 * Math.Log(1 - phi * phi);

        ConcentratedLogLikelihood(y, new ArimaOrder(1, 0, 0), [phi]).ShouldBe(expected, 1e-9);
    }

    [Fact]
    public void Ma1_likelihood_equals_the_dense_gaussian()
    {
        var y = Series.SimulateArma(40, [], [0.7], seed: 9);
        const double theta = 0.6;

        var expected = DenseLogLikelihood(y, k => k == 0 ? 1 + theta * theta : k == 1 ? theta : 0);

        ConcentratedLogLikelihood(y, new ArimaOrder(0, 0, 1), [theta]).ShouldBe(expected, 1e-9);
    }

    [Fact]
    public void Seasonal_arma_likelihood_equals_the_dense_gaussian()
    {
        var y = Series.SimulateArma(60, [0.4], [0.3], seed: 21);
        var order = new ArimaOrder(1, 0, 1, 1, 0, 0, 4);
        double[] coefficients = [0.4, 0.3, -0.5];
        var (phi, theta) = new ArimaEstimator(y, order, false).Expand(coefficients);
        // Autocovariances from the ψ weights of the expanded model (truncated where they have vanished).
        var psi = new double[4000];
        psi[0] = 1;
        for (var k = 1; k < psi.Length; k++)
        {
            var value = k <= theta.Length ? theta[k - 1] : 0;
            for (var i = 1; i <= Math.Min(k, phi.Length); i++) value += phi[i - 1] * psi[k - i];
            psi[k] = value;
        }
        double Gamma(int lag)
        {
            double sum = 0;
            for (var j = 0; j + lag < psi.Length; j++) sum += psi[j] * psi[j + lag];
            return sum;
        }

        ConcentratedLogLikelihood(y, order, coefficients).ShouldBe(DenseLogLikelihood(y, Gamma), 1e-8);
    }

    // Expected: statsmodels SARIMAX(..., simple_differencing=True, concentrate_scale=True).loglike(coefficients).
    [Fact]
    public void Likelihood_at_fixed_coefficients_equals_statsmodels()
    {
        ConcentratedLogLikelihood(Series.Quarterly, new ArimaOrder(0, 1, 1, 0, 1, 1, 4), [-0.4, -0.5]).ShouldBe(-63.50921372112388, 1e-8);
        var centred = Series.Arma11.Select(v => v - 10.0).ToArray();
        ConcentratedLogLikelihood(centred, new ArimaOrder(2, 0, 1), [0.5, -0.2, 0.3]).ShouldBe(-76.48412432583481, 1e-8);
    }

    [Fact]
    public void State_with_differencing_gives_the_likelihood_of_the_differenced_series()
    {
        var order = new ArimaOrder(1, 1, 1, 0, 1, 1, 4);
        var estimator = new ArimaEstimator(Series.Quarterly, order, false);
        double[] coefficients = [0.3, -0.6, -0.4];
        var (phi, theta) = estimator.Expand(coefficients);
        var full = estimator.CreateFullStateSpace();
        full.SetCoefficients(phi, theta).ShouldBeTrue();
        var states = new double[full.StateLength];
        var covariance = new double[full.StateLength * full.StateLength];

        var sums = full.Filter(Series.Quarterly, [], states, covariance);

        sums.Concentrate(out _, out var sigma2).ShouldBeTrue();
        sums.Count.ShouldBe(Series.Quarterly.Length - 5);
        sums.LogLikelihood(sigma2).ShouldBe(ConcentratedLogLikelihood(Series.Quarterly, order, coefficients), 1e-8);
    }

    [Property(MaxTest = 60)]
    public bool Initial_covariance_solves_the_stationary_lyapunov_equation(int seed)
    {
        var random = new Random(seed);
        var p = random.Next(0, 4);
        var q = random.Next(0, 4);
        var free = Enumerable.Range(0, p + q).Select(_ => 3 * (random.NextDouble() - 0.5)).ToArray();
        var phi = new double[p];
        var theta = new double[q];
        ArmaPolynomials.Constrain(free.AsSpan(0, p), phi);
        ArmaPolynomials.Constrain(free.AsSpan(p, q), theta);
        var r = Math.Max(p, q + 1);
        var covariance = new double[r * r];
        if (!ArimaStateSpace.StationaryCovariance(phi, theta, r, covariance, r)) return false;

        // P = T P T' + R R' with T the companion matrix (φ in the first column) and R = (1, θ₁, …).
        var t = Matrix<double>.Build.Dense(r, r);
        for (var i = 0; i < r; i++)
        {
            t[i, 0] = i < p ? phi[i] : 0;
            if (i + 1 < r) t[i, i + 1] = 1;
        }
        var rv = Vector<double>.Build.Dense(r, i => i == 0 ? 1 : i <= q ? theta[i - 1] : 0);
        var pm = Matrix<double>.Build.Dense(r, r, (i, j) => covariance[i * r + j]);
        var residual = pm - (t * pm * t.Transpose() + rv.OuterProduct(rv));
        return residual.Enumerate().All(v => Math.Abs(v) < 1e-8 * (1 + pm.InfinityNorm()));
    }
}
