namespace SmartCrm.Analytics.Forecasting;

/// <summary>Information criterion used to compare candidate models.</summary>
public enum InformationCriterion
{
    /// <summary>Akaike's criterion.</summary>
    Aic,

    /// <summary>Akaike's criterion corrected for small samples (auto.arima's default).</summary>
    Aicc,

    /// <summary>Schwarz's Bayesian criterion.</summary>
    Bic,
}

/// <summary>Limits and switches of the automatic ARIMA search; the defaults are forecast::auto.arima's.</summary>
public sealed record AutoArimaOptions
{
    /// <summary>Largest non-seasonal AR order.</summary>
    public int MaxP { get; init; } = 5;

    /// <summary>Largest non-seasonal MA order.</summary>
    public int MaxQ { get; init; } = 5;

    /// <summary>Largest seasonal AR order.</summary>
    public int MaxSeasonalP { get; init; } = 2;

    /// <summary>Largest seasonal MA order.</summary>
    public int MaxSeasonalQ { get; init; } = 2;

    /// <summary>Largest number of first differences the KPSS tests may choose.</summary>
    public int MaxD { get; init; } = 2;

    /// <summary>Largest number of seasonal differences.</summary>
    public int MaxSeasonalD { get; init; } = 1;

    /// <summary>Fixed number of first differences; null lets the KPSS tests choose.</summary>
    public int? D { get; init; }

    /// <summary>Fixed number of seasonal differences; null lets the seasonal-strength test choose.</summary>
    public int? SeasonalD { get; init; }

    /// <summary>Starting non-seasonal AR order of the stepwise search.</summary>
    public int StartP { get; init; } = 2;

    /// <summary>Starting non-seasonal MA order.</summary>
    public int StartQ { get; init; } = 2;

    /// <summary>Starting seasonal AR order.</summary>
    public int StartSeasonalP { get; init; } = 1;

    /// <summary>Starting seasonal MA order.</summary>
    public int StartSeasonalQ { get; init; } = 1;

    /// <summary>Consider a drift when d + D = 1.</summary>
    public bool AllowDrift { get; init; } = true;

    /// <summary>Consider a non-zero mean when d + D = 0.</summary>
    public bool AllowMean { get; init; } = true;

    /// <summary>Criterion to minimise.</summary>
    public InformationCriterion Criterion { get; init; } = InformationCriterion.Aicc;

    /// <summary>
    /// Compare candidates by conditional sum of squares and refit the winner by maximum likelihood. Null (default)
    /// turns it on for long or high-frequency series (more than 150 values or a period above 12), as auto.arima does.
    /// </summary>
    public bool? Approximation { get; init; }

    /// <summary>Most models the stepwise search may fit.</summary>
    public int MaxModels { get; init; } = 94;

    internal void Validate()
    {
        int[] orders = [MaxP, MaxQ, MaxSeasonalP, MaxSeasonalQ, MaxD, MaxSeasonalD, StartP, StartQ, StartSeasonalP, StartSeasonalQ, D ?? 0, SeasonalD ?? 0];
        if (Array.Exists(orders, o => o < 0))
            throw new ArgumentException("Automatic ARIMA orders, limits and differences must be non-negative.", "options");
        if (MaxModels < 1) throw new ArgumentException($"MaxModels must be at least 1, not {MaxModels}.", "options");
    }
}

/// <summary>One model the search looked at and its criterion (+∞ when rejected).</summary>
/// <param name="Order">Orders of the candidate.</param>
/// <param name="Constant">Whether it had a mean or drift.</param>
/// <param name="Criterion">Value of the information criterion (approximate when the search used CSS).</param>
public readonly record struct ArimaCandidate(ArimaOrder Order, bool Constant, double Criterion);

/// <summary>The selected model and the path that led to it.</summary>
/// <param name="Model">The selected model, fitted by maximum likelihood.</param>
/// <param name="Candidates">Every model tried, in order.</param>
/// <param name="Approximation">Whether candidates were compared by the CSS approximation.</param>
public sealed record ArimaSelection(ArimaModel Model, IReadOnlyList<ArimaCandidate> Candidates, bool Approximation);

/// <summary>
/// Automatic ARIMA order selection after Hyndman &amp; Khandakar (2008), following forecast::auto.arima step by step:
/// seasonal differences from the seasonal-strength test, first differences from repeated KPSS tests, then a stepwise
/// search on AICc from the same four start models with the same neighbourhood moves, the same rejection of models
/// with near-unit roots or a non-positive-definite Hessian, and CSS approximation for long series.
/// </summary>
public static class AutoArima
{
    /// <summary>Selects and fits a model; <paramref name="period"/> is the seasonal period (1 for non-seasonal data).</summary>
    /// <exception cref="ArgumentException">Non-finite values, a constant series, or no model could be fitted.</exception>
    /// <exception cref="OperationCanceledException">Cancelled between two candidate fits.</exception>
    public static ArimaModel Fit(ReadOnlySpan<double> series, int period = 1, AutoArimaOptions? options = null,
        CancellationToken cancellationToken = default) =>
        Search(series, period, options, cancellationToken).Model;

    /// <summary>As <see cref="Fit"/>, also returning every candidate tried.</summary>
    public static ArimaSelection Search(ReadOnlySpan<double> series, int period = 1, AutoArimaOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new AutoArimaOptions();
        options.Validate();
        SeriesInput.RequireFinite(series, nameof(series));
        if (period < 1) throw new ArgumentOutOfRangeException(nameof(period), period, "The seasonal period must be at least 1.");
        var x = series.ToArray();
        var n = x.Length;
        if (n < 3) throw new ArgumentException($"Automatic ARIMA needs at least 3 values, not {n}.", nameof(series));
        if (SeriesInput.IsConstant(x))
            throw new ArgumentException("The series is constant: there is nothing to model, its forecast is the constant itself.", nameof(series));

        var m = period;
        var maxP = Math.Min(options.MaxP, n / 3);
        var maxQ = Math.Min(options.MaxQ, n / 3);
        var maxSP = Math.Min(options.MaxSeasonalP, n / 3 / m);
        var maxSQ = Math.Min(options.MaxSeasonalQ, n / 3 / m);
        var criterion = n <= 3 ? InformationCriterion.Aic : options.Criterion;

        int seasonalD;
        if (m == 1)
        {
            seasonalD = 0;
            maxSP = maxSQ = 0;
        }
        else if (options.SeasonalD is int fixedSeasonal) seasonalD = fixedSeasonal;
        else if (n <= 2 * m) seasonalD = 0;
        else seasonalD = Stationarity.SeasonalDifferences(x, m, options.MaxSeasonalD);
        var dx = x;
        for (var i = 0; i < seasonalD; i++) dx = ArmaPolynomials.DifferenceOnce(dx, m);
        var d = options.D ?? Stationarity.NonSeasonalDifferences(dx, maxDifferences: options.MaxD);
        for (var i = 0; i < d; i++) dx = ArmaPolynomials.DifferenceOnce(dx, 1);
        if (dx.Length == 0) throw new ArgumentException($"Not enough data left after {d} differences and {seasonalD} seasonal differences.", nameof(series));
        if (SeriesInput.IsConstant(dx))
            throw new ArgumentException($"After {d} differences and {seasonalD} seasonal differences the series is constant: it follows an exact " +
                "polynomial or seasonal pattern and has no random part to model.", nameof(series));
        if (m > 1)
        {
            if (maxSP > 0) maxP = Math.Min(maxP, m - 1);
            if (maxSQ > 0) maxQ = Math.Min(maxQ, m - 1);
        }
        var approximation = options.Approximation ?? (n > 150 || m > 12);
        var search = new SearchState(x, m, d, seasonalD, criterion, approximation, cancellationToken);
        if (approximation) search.ComputeOffset();

        var allowDrift = options.AllowDrift && d + seasonalD == 1;
        var allowMean = options.AllowMean && d + seasonalD == 0;
        var constant = allowDrift || allowMean;

        var startP = options.StartP;
        var startQ = options.StartQ;
        var startSP = options.StartSeasonalP;
        var startSQ = options.StartSeasonalQ;
        if (n < 10)
        {
            startP = Math.Min(startP, 1);
            startQ = Math.Min(startQ, 1);
            startSP = 0;
            startSQ = 0;
        }
        var p = Math.Min(startP, maxP);
        var q = Math.Min(startQ, maxQ);
        var sp = Math.Min(startSP, maxSP);
        var sq = Math.Min(startSQ, maxSQ);

        var best = search.Try(p, q, sp, sq, constant);
        var fit = search.Try(0, 0, 0, 0, constant);
        if (fit.Criterion < best.Criterion)
        {
            best = fit;
            p = q = sp = sq = 0;
        }
        if (maxP > 0 || maxSP > 0)
        {
            var arP = maxP > 0 ? 1 : 0;
            var arSP = m > 1 && maxSP > 0 ? 1 : 0;
            fit = search.Try(arP, 0, arSP, 0, constant);
            if (fit.Criterion < best.Criterion)
            {
                best = fit;
                p = arP;
                sp = arSP;
                q = sq = 0;
            }
        }
        if (maxQ > 0 || maxSQ > 0)
        {
            var maQ = maxQ > 0 ? 1 : 0;
            var maSQ = m > 1 && maxSQ > 0 ? 1 : 0;
            fit = search.Try(0, maQ, 0, maSQ, constant);
            if (fit.Criterion < best.Criterion)
            {
                best = fit;
                p = sp = 0;
                q = maQ;
                sq = maSQ;
            }
        }
        if (constant)
        {
            fit = search.Try(0, 0, 0, 0, false);
            if (fit.Criterion < best.Criterion)
            {
                best = fit;
                p = q = sp = sq = 0;
            }
        }

        // auto.arima's neighbourhood, in its order: seasonal moves first, then non-seasonal, then the constant.
        (int Dp, int Dq, int DSp, int DSq)[] moves =
        [
            (0, 0, -1, 0), (0, 0, 0, -1), (0, 0, 1, 0), (0, 0, 0, 1),
            (0, 0, -1, -1), (0, 0, -1, 1), (0, 0, 1, -1), (0, 0, 1, 1),
            (-1, 0, 0, 0), (0, -1, 0, 0), (1, 0, 0, 0), (0, 1, 0, 0),
            (-1, -1, 0, 0), (-1, 1, 0, 0), (1, -1, 0, 0), (1, 1, 0, 0),
        ];
        var startCount = 0;
        while (startCount < search.Count && search.Count < options.MaxModels)
        {
            startCount = search.Count;
            var improved = false;
            foreach (var (dp, dq, dsp, dsq) in moves)
            {
                int np = p + dp, nq = q + dq, nsp = sp + dsp, nsq = sq + dsq;
                if (np < 0 || nq < 0 || nsp < 0 || nsq < 0 || np > maxP || nq > maxQ || nsp > maxSP || nsq > maxSQ) continue;
                if (!search.IsNew(np, nq, nsp, nsq, constant)) continue;
                if (search.Count + 1 > options.MaxModels) break;
                fit = search.Try(np, nq, nsp, nsq, constant);
                if (fit.Criterion < best.Criterion)
                {
                    best = fit;
                    (p, q, sp, sq) = (np, nq, nsp, nsq);
                    improved = true;
                    break;
                }
            }
            if (improved || search.Count >= options.MaxModels) continue;
            if ((allowDrift || allowMean) && search.IsNew(p, q, sp, sq, !constant))
            {
                fit = search.Try(p, q, sp, sq, !constant);
                if (fit.Criterion < best.Criterion)
                {
                    best = fit;
                    constant = !constant;
                }
            }
        }

        var model = best.Model;
        if (approximation)
        {
            // Refit by maximum likelihood, best approximate candidate first, until one is acceptable.
            model = null;
            foreach (var candidate in search.Candidates.Where(c => double.IsFinite(c.Criterion)).OrderBy(c => c.Criterion))
            {
                var exact = search.Fit(candidate.Order, candidate.Constant, approximate: false);
                if (exact.Model is not null && double.IsFinite(exact.Criterion))
                {
                    model = exact.Model;
                    break;
                }
            }
        }
        if (model is null || !double.IsFinite(best.Criterion) && !approximation)
            throw new ArgumentException("No suitable ARIMA model could be fitted to the series.", nameof(series));
        return new ArimaSelection(model, search.Candidates, approximation);
    }

    private readonly record struct Scored(ArimaModel? Model, double Criterion);

    /// <summary>State of one search: the data, the differencing chosen and the models tried so far.</summary>
    private sealed class SearchState(double[] series, int period, int d, int seasonalD, InformationCriterion criterion, bool approximation,
        CancellationToken cancellationToken)
    {
        private readonly HashSet<(int, int, int, int, bool)> _seen = [];
        private readonly List<ArimaCandidate> _candidates = [];
        private double _offset;

        public int Count => _candidates.Count;

        public IReadOnlyList<ArimaCandidate> Candidates => _candidates;

        /// <summary>auto.arima's constant making CSS criteria comparable: −2 log L − n log σ² of ARIMA(0,d,0)(0,D,0) by ML.</summary>
        public void ComputeOffset()
        {
            var order = new ArimaOrder(0, d, 0, 0, seasonalD, 0, period);
            var withMean = d + seasonalD == 0;
            if (ArimaEstimator.Problem(series.Length, order, withMean) is not null) return;
            var model = new ArimaEstimator(series, order, withMean).Estimate(ArimaEstimation.MaximumLikelihood, rejectNonStationaryStart: true);
            if (model is not null) _offset = -2 * model.LogLikelihood - series.Length * Math.Log(model.Sigma2);
        }

        public bool IsNew(int p, int q, int sp, int sq, bool constant) => !_seen.Contains((p, q, sp, sq, constant));

        public Scored Try(int p, int q, int sp, int sq, bool constant)
        {
            var order = new ArimaOrder(p, d, q, sp, seasonalD, sq, period);
            _seen.Add((p, q, sp, sq, constant));
            var scored = Fit(order, constant, approximation);
            _candidates.Add(new ArimaCandidate(order, constant, scored.Criterion));
            return scored;
        }

        public Scored Fit(ArimaOrder order, bool constant, bool approximate)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (ArimaEstimator.Problem(series.Length, order, constant) is not null) return new Scored(null, double.PositiveInfinity);
            var estimator = new ArimaEstimator(series, order, constant);
            var model = estimator.Estimate(approximate ? ArimaEstimation.ConditionalSumOfSquares : ArimaEstimation.MaximumLikelihood,
                rejectNonStationaryStart: true);
            if (model is null) return new Scored(null, double.PositiveInfinity);
            var k = model.ParameterCount;
            var nStar = model.EffectiveObservations;
            var aic = approximate ? _offset + nStar * Math.Log(model.Sigma2) + 2 * k : model.Aic;
            var value = criterion switch
            {
                InformationCriterion.Aic => aic,
                InformationCriterion.Bic => aic + k * (Math.Log(nStar) - 2),
                _ => nStar - k - 1 > 0 ? aic + 2.0 * k * (k + 1) / (nStar - k - 1) : double.PositiveInfinity,
            };
            if (!double.IsFinite(value) || !model.IsWellBehaved()) return new Scored(model, double.PositiveInfinity);
            return new Scored(model, value);
        }
    }
}
