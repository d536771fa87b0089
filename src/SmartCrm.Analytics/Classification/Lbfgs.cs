using System.Numerics;

namespace SmartCrm.Analytics.Classification;

/// <summary>A smooth function to minimise: returns f(x) and writes ∇f(x) into <c>gradient</c>.</summary>
internal delegate double Objective(ReadOnlySpan<double> x, Span<double> gradient);

/// <summary>How an L-BFGS run ended.</summary>
internal readonly record struct LbfgsResult(int Iterations, double Value, double GradientNorm, bool Converged);

/// <summary>
/// Limited-memory BFGS (Nocedal &amp; Wright, Numerical Optimization, alg. 7.4–7.5) with a backtracking Armijo line
/// search. Enough for the smooth convex objectives here (regularised logistic losses), where it converges to the
/// same optimum as scikit-learn's lbfgs.
/// </summary>
internal static class Lbfgs
{
    public static LbfgsResult Minimise(Objective objective, Span<double> x, double gradientTolerance, int maxIterations,
        int memory = 10, CancellationToken cancellationToken = default)
    {
        var n = x.Length;
        var g = new double[n];
        var gNew = new double[n];
        var xNew = new double[n];
        var direction = new double[n];
        var s = new double[memory][];
        var y = new double[memory][];
        var rho = new double[memory];
        var alpha = new double[memory];
        for (var i = 0; i < memory; i++) { s[i] = new double[n]; y[i] = new double[n]; }
        var stored = 0;
        var newest = -1;

        var f = objective(x, g);
        if (!double.IsFinite(f)) throw new ArgumentException("L-BFGS: the objective is not finite at the start point.");
        var iteration = 0;
        var stalled = 0;
        var gNorm = MaxAbs(g);
        while (gNorm > gradientTolerance && iteration < maxIterations)
        {
            cancellationToken.ThrowIfCancellationRequested();
            iteration++;
            // Two-loop recursion: direction = −H·g.
            g.CopyTo(direction, 0);
            for (var j = 0; j < stored; j++)
            {
                var m = (newest - j + memory) % memory;
                alpha[m] = rho[m] * VectorMath.Dot(s[m], direction);
                VectorMath.AddScaled(direction, y[m], -alpha[m]);
            }
            var gamma = stored > 0 ? VectorMath.Dot(s[newest], y[newest]) / VectorMath.Dot(y[newest], y[newest]) : 1 / Math.Max(1, Norm(g));
            Scale(direction, gamma);
            for (var j = stored - 1; j >= 0; j--)
            {
                var m = (newest - j + memory) % memory;
                var beta = rho[m] * VectorMath.Dot(y[m], direction);
                VectorMath.AddScaled(direction, s[m], alpha[m] - beta);
            }
            Scale(direction, -1);
            var slope = VectorMath.Dot(g, direction);
            if (slope >= 0)
            {
                // Not a descent direction (lost curvature information): restart from steepest descent.
                stored = 0;
                for (var i = 0; i < n; i++) direction[i] = -g[i];
                slope = VectorMath.Dot(g, direction);
                Scale(direction, 1 / Math.Max(1, Norm(g)));
                slope /= Math.Max(1, Norm(g));
            }

            var step = 1.0;
            double fNew;
            var accepted = false;
            for (var tries = 0; tries < 60; tries++)
            {
                for (var i = 0; i < n; i++) xNew[i] = x[i] + step * direction[i];
                fNew = objective(xNew, gNew);
                // Near the optimum f stops changing within rounding, and Armijo's test turns into noise; a step that
                // keeps f within rounding and shrinks the gradient is progress all the same.
                if (double.IsFinite(fNew) && (fNew <= f + 1e-4 * step * slope
                    || (fNew <= f + 1e-13 * Math.Abs(f) && MaxAbs(gNew) < gNorm)))
                {
                    accepted = true;
                    var m = (newest + 1) % memory;
                    for (var i = 0; i < n; i++)
                    {
                        s[m][i] = xNew[i] - x[i];
                        y[m][i] = gNew[i] - g[i];
                    }
                    var sy = VectorMath.Dot(s[m], y[m]);
                    if (sy > 1e-12 * VectorMath.Dot(y[m], y[m]))
                    {
                        rho[m] = 1 / sy;
                        newest = m;
                        stored = Math.Min(stored + 1, memory);
                    }
                    xNew.CopyTo(x);
                    gNew.CopyTo(g, 0);
                    f = fNew;
                    var previous = gNorm;
                    gNorm = MaxAbs(g);
                    stalled = gNorm < previous * 0.999 ? 0 : stalled + 1;
                    break;
                }
                step *= 0.5;
            }
            if (!accepted || stalled > 50) return new LbfgsResult(iteration, f, gNorm, gNorm <= gradientTolerance);
        }
        return new LbfgsResult(iteration, f, gNorm, gNorm <= gradientTolerance);
    }

    private static void Scale(Span<double> a, double scale)
    {
        for (var i = 0; i < a.Length; i++) a[i] *= scale;
    }

    private static double Norm(ReadOnlySpan<double> a) => Math.Sqrt(VectorMath.Dot(a, a));

    private static double MaxAbs(ReadOnlySpan<double> a)
    {
        double max = 0;
        foreach (var v in a) max = Math.Max(max, Math.Abs(v));
        return max;
    }
}
