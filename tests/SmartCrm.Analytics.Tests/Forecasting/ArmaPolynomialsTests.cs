using FsCheck.Xunit;
using SmartCrm.Analytics.Forecasting;

namespace SmartCrm.Analytics.Tests.Forecasting;

public class ArmaPolynomialsTests
{
    [Fact]
    public void Seasonal_product_expands_to_the_multiplicative_lags()
    {
        // (1 + 0.5B)(1 − 0.4B⁴) = 1 + 0.5B − 0.4B⁴ − 0.2B⁵.
        ArmaPolynomials.ExpandMa([0.5], [-0.4], 4).ShouldBe([0.5, 0, 0, -0.4, -0.2], tolerance: 1e-12);
        // (1 − 0.5B)(1 − 0.3B⁴) = 1 − 0.5B − 0.3B⁴ + 0.15B⁵, so φ = (0.5, 0, 0, 0.3, −0.15).
        ArmaPolynomials.ExpandAr([0.5], [0.3], 4).ShouldBe([0.5, 0, 0, 0.3, -0.15], tolerance: 1e-12);
    }

    [Fact]
    public void Differencing_coefficients_reproduce_the_series()
    {
        // (1 − B)(1 − B¹²) = 1 − B − B¹² + B¹³.
        var delta = ArmaPolynomials.Differencing(1, 1, 12);
        delta.Length.ShouldBe(13);
        delta[0].ShouldBe(1);
        delta[11].ShouldBe(1);
        delta[12].ShouldBe(-1);
        delta.Take(11).Skip(1).ShouldAllBe(v => v == 0);
        var differenced = ArmaPolynomials.Difference(Series.Quarterly, 1, 1, 4);
        differenced[0].ShouldBe(Series.Quarterly[5] - Series.Quarterly[4] - Series.Quarterly[1] + Series.Quarterly[0], 1e-12);
    }

    [Property(MaxTest = 200)]
    public bool Constrained_coefficients_are_stationary_and_round_trip(double a, double b, double c)
    {
        double[] free = [Math.Clamp(a, -8, 8), Math.Clamp(b, -8, 8), Math.Clamp(c, -8, 8)];
        if (free.Any(double.IsNaN)) return true;
        var phi = new double[3];
        ArmaPolynomials.Constrain(free, phi);
        var back = new double[3];
        ArmaPolynomials.Unconstrain(phi, back);
        return ArmaPolynomials.SmallestRootModulus(phi, -1) > 1 - 1e-9
            && free.Zip(back).All(pair => Math.Abs(pair.First) > 7 || Math.Abs(pair.First - pair.Second) < 1e-6);
    }

    [Fact]
    public void Invertible_form_keeps_the_autocovariances()
    {
        // θ = 2 (root 0.5 inside the circle) becomes θ = 0.5; both give ρ₁ = θ / (1 + θ²) = 0.4.
        double[] ma = [2.0];
        ArmaPolynomials.MakeInvertible(ma);
        ma[0].ShouldBe(0.5, 1e-9);

        double[] second = [2.5, 1.0];
        ArmaPolynomials.MakeInvertible(second);
        ArmaPolynomials.SmallestRootModulus(second, 1).ShouldBeGreaterThanOrEqualTo(1 - 1e-9);
    }

    [Fact]
    public void Unit_root_is_not_stationary()
    {
        ArmaPolynomials.IsStationary([1.0]).ShouldBeFalse();
        ArmaPolynomials.IsStationary([0.5, 0.3]).ShouldBeTrue();
        ArmaPolynomials.IsStationary([0.5, 0.6]).ShouldBeFalse();
    }
}
