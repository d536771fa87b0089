using System.Numerics;
using MathNet.Numerics;

namespace SmartCrm.Analytics.Forecasting;

/// <summary>
/// Lag polynomials of seasonal ARIMA models and the reparameterisation that keeps them stationary and invertible.
/// Conventions (as statsmodels and R): y_t = Σ φ_k y_{t-k} + ε_t + Σ θ_k ε_{t-k}.
/// </summary>
internal static class ArmaPolynomials
{
    /// <summary>φ of (1 − Σ a_i Bⁱ)(1 − Σ A_j B^{sj}) = 1 − Σ φ_k Bᵏ.</summary>
    public static double[] ExpandAr(ReadOnlySpan<double> ar, ReadOnlySpan<double> seasonalAr, int period)
    {
        var product = Multiply(ar, seasonalAr, period, -1);
        for (var k = 0; k < product.Length; k++) product[k] = -product[k];
        return product;
    }

    /// <summary>θ of (1 + Σ b_i Bⁱ)(1 + Σ B_j B^{sj}) = 1 + Σ θ_k Bᵏ.</summary>
    public static double[] ExpandMa(ReadOnlySpan<double> ma, ReadOnlySpan<double> seasonalMa, int period) =>
        Multiply(ma, seasonalMa, period, 1);

    // Coefficients of B¹.. of (1 + sign Σ a_i Bⁱ)(1 + sign Σ A_j B^{sj}).
    private static double[] Multiply(ReadOnlySpan<double> plain, ReadOnlySpan<double> seasonal, int period, double sign)
    {
        var length = plain.Length + period * seasonal.Length;
        var full = new double[length + 1];
        var left = new double[plain.Length + 1];
        left[0] = 1;
        for (var i = 0; i < plain.Length; i++) left[i + 1] = sign * plain[i];
        for (var j = 0; j <= seasonal.Length; j++)
        {
            var factor = j == 0 ? 1 : sign * seasonal[j - 1];
            if (factor == 0) continue;
            for (var i = 0; i < left.Length; i++) full[i + j * period] += factor * left[i];
        }
        return full[1..];
    }

    /// <summary>δ of (1 − B)^d (1 − B^s)^D = 1 − Σ δ_k Bᵏ, so that y_t = w_t + Σ δ_k y_{t-k}.</summary>
    public static double[] Differencing(int d, int seasonalD, int period)
    {
        var poly = new double[] { 1 };
        for (var i = 0; i < d; i++) poly = MultiplyByOneMinusLag(poly, 1);
        for (var i = 0; i < seasonalD; i++) poly = MultiplyByOneMinusLag(poly, period);
        var delta = new double[poly.Length - 1];
        for (var k = 1; k < poly.Length; k++) delta[k - 1] = -poly[k];
        return delta;
    }

    private static double[] MultiplyByOneMinusLag(double[] poly, int lag)
    {
        var result = new double[poly.Length + lag];
        for (var i = 0; i < poly.Length; i++)
        {
            result[i] += poly[i];
            result[i + lag] -= poly[i];
        }
        return result;
    }

    /// <summary>Applies (1 − B)^d (1 − B^s)^D; the result is shorter by d + sD.</summary>
    public static double[] Difference(ReadOnlySpan<double> series, int d, int seasonalD, int period)
    {
        var current = series.ToArray();
        for (var i = 0; i < seasonalD; i++) current = DifferenceOnce(current, period);
        for (var i = 0; i < d; i++) current = DifferenceOnce(current, 1);
        return current;
    }

    public static double[] DifferenceOnce(ReadOnlySpan<double> series, int lag)
    {
        if (series.Length <= lag) return [];
        var result = new double[series.Length - lag];
        for (var t = lag; t < series.Length; t++) result[t - lag] = series[t] - series[t - lag];
        return result;
    }

    /// <summary>
    /// Monahan's (1984) map from free parameters to the coefficients of a stationary polynomial, exactly as
    /// statsmodels' constrain_stationary_univariate (the sign is negated again for moving-average parts).
    /// </summary>
    public static void Constrain(ReadOnlySpan<double> free, Span<double> coefficients)
    {
        var n = free.Length;
        if (n == 0) return;
        Span<double> previous = n <= 64 ? stackalloc double[n] : new double[n];
        Span<double> current = n <= 64 ? stackalloc double[n] : new double[n];
        for (var k = 0; k < n; k++)
        {
            var r = free[k] / Math.Sqrt(1 + free[k] * free[k]);
            for (var i = 0; i < k; i++) current[i] = previous[i] + r * previous[k - i - 1];
            current[k] = r;
            current[..(k + 1)].CopyTo(previous);
        }
        for (var i = 0; i < n; i++) coefficients[i] = -previous[i];
    }

    /// <summary>Inverse of <see cref="Constrain"/>; partial autocorrelations are kept a hair inside ±1 so the result is finite.</summary>
    public static void Unconstrain(ReadOnlySpan<double> coefficients, Span<double> free)
    {
        var n = coefficients.Length;
        if (n == 0) return;
        var y = new double[n, n];
        for (var i = 0; i < n; i++) y[n - 1, i] = -coefficients[i];
        for (var k = n - 1; k > 0; k--)
        {
            var ykk = Math.Clamp(y[k, k], -0.999999, 0.999999);
            for (var i = 0; i < k; i++) y[k - 1, i] = (y[k, i] - ykk * y[k, k - i - 1]) / (1 - ykk * ykk);
        }
        for (var i = 0; i < n; i++)
        {
            var r = Math.Clamp(y[i, i], -0.999999, 0.999999);
            free[i] = r / Math.Sqrt(1 - r * r);
        }
    }

    /// <summary>
    /// Smallest modulus among the roots of 1 + sign·Σ c_k Bᵏ (sign −1 for AR, +1 for MA); 2 when the polynomial is constant,
    /// as forecast::auto.arima's check. Coefficients below 1e-8 at the tail are ignored.
    /// </summary>
    public static double SmallestRootModulus(ReadOnlySpan<double> coefficients, double sign)
    {
        var last = coefficients.Length - 1;
        while (last >= 0 && Math.Abs(coefficients[last]) <= 1e-8) last--;
        if (last < 0) return 2;
        var poly = new double[last + 2];
        poly[0] = 1;
        for (var k = 0; k <= last; k++) poly[k + 1] = sign * coefficients[k];
        var min = 2.0;
        foreach (var root in Roots(poly)) min = Math.Min(min, root.Magnitude);
        return min;
    }

    /// <summary>True when every root of 1 − Σ φ_k Bᵏ lies outside the unit circle.</summary>
    public static bool IsStationary(ReadOnlySpan<double> ar) => SmallestRootModulus(ar, -1) > 1;

    /// <summary>
    /// Reflects the roots of 1 + Σ θ_k Bᵏ that lie inside the unit circle to their inverses (R's maInvert), giving the
    /// invertible polynomial with the same autocovariances.
    /// </summary>
    public static void MakeInvertible(Span<double> ma)
    {
        var last = ma.Length - 1;
        while (last >= 0 && ma[last] == 0) last--;
        if (last < 0) return;
        var poly = new double[last + 2];
        poly[0] = 1;
        for (var k = 0; k <= last; k++) poly[k + 1] = ma[k];
        var roots = Roots(poly);
        var anyInside = false;
        for (var i = 0; i < roots.Length; i++)
        {
            if (roots[i].Magnitude < 1)
            {
                roots[i] = 1 / roots[i];
                anyInside = true;
            }
        }
        if (!anyInside) return;
        // Rebuild Π (1 − B / r_i), whose constant term is 1.
        var rebuilt = new Complex[roots.Length + 1];
        rebuilt[0] = 1;
        for (var i = 0; i < roots.Length; i++)
        {
            for (var k = i + 1; k >= 1; k--) rebuilt[k] -= rebuilt[k - 1] / roots[i];
        }
        for (var k = 0; k <= last; k++) ma[k] = rebuilt[k + 1].Real;
    }

    private static Complex[] Roots(double[] ascending) => FindRoots.Polynomial(ascending);
}
