namespace SmartCrm.Analytics.Forecasting;

/// <summary>Where a minimiser stopped.</summary>
internal readonly record struct Minimum(double[] Point, double Value, int Iterations, bool Converged);

/// <summary>
/// Small-dimensional unconstrained minimisers for likelihoods: BFGS on central-difference gradients (the ARIMA
/// likelihood is smooth but has no cheap analytic gradient) and Nelder–Mead for the bounded ETS likelihood.
/// </summary>
internal static class Minimisers
{
    /// <summary>
    /// BFGS with an Armijo backtracking line search; non-finite values count as "too far". Stops when the gradient
    /// is below <paramref name="gradientTolerance"/>, or when the value changes by less than
    /// <paramref name="relativeTolerance"/> (relative) while the gradient is below <paramref name="stationaryGradient"/>.
    /// </summary>
    public static Minimum Bfgs(Func<double[], double> objective, double[] start, int maxIterations = 200,
        double gradientTolerance = 1e-7, double relativeTolerance = 1e-13, double maxStep = 2.0, double stationaryGradient = 1e-4)
    {
        var n = start.Length;
        var x = (double[])start.Clone();
        var f = objective(x);
        if (n == 0 || !double.IsFinite(f)) return new Minimum(x, f, 0, n == 0);
        var g = new double[n];
        // Forward differences (n evaluations) while far from the optimum, central ones (2n) close to it.
        var central = false;
        Gradient(objective, x, f, g, central);
        central = InfinityNorm(g) < CentralBelow;
        var h = Identity(n);
        var direction = new double[n];
        var trial = new double[n];
        var gNew = new double[n];
        var s = new double[n];
        var y = new double[n];
        var hy = new double[n];
        var firstStep = true;
        for (var iteration = 1; iteration <= maxIterations; iteration++)
        {
            if (InfinityNorm(g) < gradientTolerance && central) return new Minimum(x, f, iteration, true);
            for (var i = 0; i < n; i++)
            {
                double sum = 0;
                for (var j = 0; j < n; j++) sum -= h[i, j] * g[j];
                direction[i] = sum;
            }
            var slope = Dot(direction, g);
            if (!(slope < 0))
            {
                h = Identity(n);
                for (var i = 0; i < n; i++) direction[i] = -g[i];
                slope = Dot(direction, g);
            }
            var length = InfinityNorm(direction);
            var step = length > maxStep ? maxStep / length : 1.0;
            double fNew = double.NaN;
            var accepted = false;
            for (var tries = 0; tries < 40; tries++)
            {
                var moved = false;
                for (var i = 0; i < n; i++)
                {
                    trial[i] = x[i] + step * direction[i];
                    if (trial[i] != x[i]) moved = true;
                }
                if (!moved) break;
                fNew = objective(trial);
                if (double.IsFinite(fNew) && fNew <= f + 1e-4 * step * slope)
                {
                    accepted = true;
                    break;
                }
                step *= 0.3;
            }
            if (!accepted)
            {
                // A failed search after a fresh start means we are at the optimum to working precision.
                if (firstStep) return new Minimum(x, f, iteration, InfinityNorm(g) < 1e-4);
                h = Identity(n);
                firstStep = true;
                continue;
            }
            Gradient(objective, trial, fNew, gNew, central);
            if (!central && InfinityNorm(gNew) < CentralBelow)
            {
                central = true;
                Gradient(objective, trial, fNew, gNew, central);
            }
            for (var i = 0; i < n; i++)
            {
                s[i] = trial[i] - x[i];
                y[i] = gNew[i] - g[i];
            }
            var sy = Dot(s, y);
            var previous = f;
            Array.Copy(trial, x, n);
            Array.Copy(gNew, g, n);
            f = fNew;
            if (sy > 1e-16)
            {
                if (firstStep)
                {
                    // Scale the first inverse-Hessian guess to the observed curvature (Nocedal & Wright 6.20).
                    var scale = sy / Dot(y, y);
                    for (var i = 0; i < n; i++) for (var j = 0; j < n; j++) h[i, j] = i == j ? scale : 0;
                }
                double yhy = 0;
                for (var i = 0; i < n; i++)
                {
                    double sum = 0;
                    for (var j = 0; j < n; j++) sum += h[i, j] * y[j];
                    hy[i] = sum;
                    yhy += y[i] * sum;
                }
                var factor = (1 + yhy / sy) / sy;
                for (var i = 0; i < n; i++)
                    for (var j = 0; j < n; j++)
                        h[i, j] += factor * s[i] * s[j] - (hy[i] * s[j] + s[i] * hy[j]) / sy;
                firstStep = false;
            }
            if (Math.Abs(previous - f) <= relativeTolerance * (Math.Abs(f) + relativeTolerance) && InfinityNorm(g) < stationaryGradient)
                return new Minimum(x, f, iteration, true);
        }
        return new Minimum(x, f, maxIterations, false);
    }

    private const double CentralBelow = 1e-2;

    /// <summary>Central (or forward) differences; one-sided where a probe leaves the region where the objective is finite.</summary>
    public static void Gradient(Func<double[], double> objective, double[] x, double fx, Span<double> gradient, bool central = true)
    {
        var probe = (double[])x.Clone();
        for (var i = 0; i < x.Length; i++)
        {
            var step = (central ? 1e-5 : 1e-7) * Math.Max(1, Math.Abs(x[i]));
            probe[i] = x[i] + step;
            var up = objective(probe);
            probe[i] = x[i] - step;
            var down = central ? objective(probe) : double.NaN;
            probe[i] = x[i];
            gradient[i] = (double.IsFinite(up), double.IsFinite(down)) switch
            {
                (true, true) => (up - down) / (2 * step),
                (true, false) => (up - fx) / step,
                (false, true) => (fx - down) / step,
                _ => 0,
            };
        }
    }

    /// <summary>
    /// Nelder–Mead simplex (reflection 1, contraction ½, expansion 2, shrink ½), stopping when the spread of values
    /// falls below <paramref name="relativeTolerance"/> as R's optim does; restarted once from the best point because a
    /// collapsed simplex often stops short of the optimum.
    /// </summary>
    public static Minimum NelderMead(Func<double[], double> objective, double[] start, double[] steps, int maxEvaluations = 4000,
        double relativeTolerance = 1.5e-8)
    {
        var first = NelderMeadOnce(objective, start, steps, maxEvaluations / 2, relativeTolerance);
        var second = NelderMeadOnce(objective, first.Point, steps, maxEvaluations / 2, relativeTolerance);
        return second.Value <= first.Value ? second with { Iterations = first.Iterations + second.Iterations } : first;
    }

    private static Minimum NelderMeadOnce(Func<double[], double> objective, double[] start, double[] steps, int maxEvaluations, double relativeTolerance)
    {
        var n = start.Length;
        var simplex = new double[n + 1][];
        var values = new double[n + 1];
        simplex[0] = (double[])start.Clone();
        values[0] = Finite(objective(simplex[0]));
        for (var i = 0; i < n; i++)
        {
            simplex[i + 1] = (double[])start.Clone();
            simplex[i + 1][i] += steps[i];
            values[i + 1] = Finite(objective(simplex[i + 1]));
        }
        var evaluations = n + 1;
        var centroid = new double[n];
        var reflected = new double[n];
        var other = new double[n];
        var converged = false;
        while (evaluations < maxEvaluations)
        {
            // Order: best at 0, worst at n.
            Array.Sort(values, simplex);
            if (values[n] - values[0] <= relativeTolerance * (Math.Abs(values[0]) + relativeTolerance))
            {
                converged = true;
                break;
            }
            Array.Clear(centroid);
            for (var i = 0; i < n; i++)
                for (var j = 0; j < n; j++) centroid[j] += simplex[i][j] / n;
            for (var j = 0; j < n; j++) reflected[j] = centroid[j] + (centroid[j] - simplex[n][j]);
            var fr = Finite(objective(reflected));
            evaluations++;
            if (fr < values[0])
            {
                for (var j = 0; j < n; j++) other[j] = centroid[j] + 2 * (centroid[j] - simplex[n][j]);
                var fe = Finite(objective(other));
                evaluations++;
                if (fe < fr) Replace(simplex, values, n, other, fe);
                else Replace(simplex, values, n, reflected, fr);
                continue;
            }
            if (fr < values[n - 1])
            {
                Replace(simplex, values, n, reflected, fr);
                continue;
            }
            var outside = fr < values[n];
            for (var j = 0; j < n; j++)
                other[j] = outside ? centroid[j] + 0.5 * (reflected[j] - centroid[j]) : centroid[j] + 0.5 * (simplex[n][j] - centroid[j]);
            var fc = Finite(objective(other));
            evaluations++;
            if (fc < Math.Min(fr, values[n]))
            {
                Replace(simplex, values, n, other, fc);
                continue;
            }
            for (var i = 1; i <= n; i++)
            {
                for (var j = 0; j < n; j++) simplex[i][j] = simplex[0][j] + 0.5 * (simplex[i][j] - simplex[0][j]);
                values[i] = Finite(objective(simplex[i]));
            }
            evaluations += n;
        }
        Array.Sort(values, simplex);
        return new Minimum(simplex[0], values[0], evaluations, converged);
    }

    private static double Finite(double value) => double.IsNaN(value) ? double.PositiveInfinity : value;

    private static void Replace(double[][] simplex, double[] values, int index, double[] point, double value)
    {
        Array.Copy(point, simplex[index], point.Length);
        values[index] = value;
    }

    private static double[,] Identity(int n)
    {
        var m = new double[n, n];
        for (var i = 0; i < n; i++) m[i, i] = 1;
        return m;
    }

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double sum = 0;
        for (var i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    private static double InfinityNorm(ReadOnlySpan<double> a)
    {
        double max = 0;
        foreach (var v in a) max = Math.Max(max, Math.Abs(v));
        return max;
    }
}
