using SmartCrm.Analytics.Forecasting;

namespace SmartCrm.Analytics.Tests.Forecasting;

public class MinimisersTests
{
    private static double Rosenbrock(double[] x) => 100 * Math.Pow(x[1] - x[0] * x[0], 2) + Math.Pow(1 - x[0], 2);

    [Fact]
    public void Bfgs_finds_the_rosenbrock_minimum()
    {
        var minimum = Minimisers.Bfgs(Rosenbrock, [-1.2, 1.0], maxIterations: 500);

        minimum.Point[0].ShouldBe(1, 1e-4);
        minimum.Point[1].ShouldBe(1, 1e-4);
    }

    [Fact]
    public void Bfgs_treats_non_finite_values_as_out_of_bounds()
    {
        // Minimum at 0.5, undefined beyond 1.
        var minimum = Minimisers.Bfgs(x => x[0] >= 1 ? double.NaN : Math.Pow(x[0] - 0.5, 2) - Math.Log(1 - x[0]) * 1e-3, [0.9]);

        minimum.Point[0].ShouldBe(0.5, 0.01);
    }

    [Fact]
    public void Nelder_mead_finds_a_shifted_quadratic_minimum()
    {
        var minimum = Minimisers.NelderMead(x => Math.Pow(x[0] - 3, 2) + 2 * Math.Pow(x[1] + 1, 2) + Math.Pow(x[2], 2), [0, 0, 0], [0.5, 0.5, 0.5]);

        minimum.Point[0].ShouldBe(3, 1e-3);
        minimum.Point[1].ShouldBe(-1, 1e-3);
        minimum.Point[2].ShouldBe(0, 1e-3);
    }
}
