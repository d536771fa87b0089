namespace SmartCrm.Analytics.Clustering;

/// <summary>One k-means start: seeding, Lloyd iterations, refinement, swaps. Owns its buffers, so starts run in parallel.</summary>
internal sealed class KMeansStart
{
    private readonly PaddedPoints _points;
    private readonly int _k;
    private readonly int _n;
    private readonly int _stride;
    private readonly double[] _centers;
    private readonly double[] _sums;
    private readonly int[] _counts;
    private readonly int[] _labels;
    private readonly double[] _upper;
    private readonly double[] _lower;
    private readonly double[] _halfGap;
    private readonly double[] _shift;
    private bool _relocated;
    private bool _trackSums;
    private readonly double[] _meanBuffer;
    private readonly double[] _distanceBuffer;

    private KMeansStart(PaddedPoints points, int k)
    {
        this._points = points;
        this._k = k;
        _n = points.Rows;
        _stride = points.Stride;
        _centers = new double[k * _stride];
        _sums = new double[k * _stride];
        _counts = new int[k];
        _labels = new int[_n];
        _upper = new double[_n];
        _lower = new double[_n];
        _halfGap = new double[k];
        _shift = new double[k];
        _meanBuffer = new double[_stride];
        _distanceBuffer = new double[k];
    }

    public double[] Centers => _centers;

    public int[] Labels => _labels;

    public double Inertia { get; private set; }

    public int Iterations { get; private set; }

    public int RefinementPasses { get; private set; }

    public int Swaps { get; private set; }

    public static KMeansStart Run(PaddedPoints points, KMeansOptions options, double tolerance, int restart, int seed,
        IProgress<KMeansProgress>? progress, CancellationToken cancellationToken)
    {
        var start = new KMeansStart(points, options.Clusters);
        var random = new Random(seed);
        start.Seed(random, cancellationToken);
        start.Iterations = start.Iterate(options, tolerance, restart, progress, cancellationToken);
        if (options.Refine) start.RefinementPasses = start.Refine(restart, progress, cancellationToken);
        start.Inertia = start.AssignedInertia();
        start.Swap(options, tolerance, restart, random, progress, cancellationToken);
        return start;
    }

    /// <summary>
    /// Swap search (after Kanungo et al.'s local search for k-means): draw a few data points as in k-means++,
    /// estimate for every (centroid, point) pair the inertia if that centroid were moved onto that point, take the
    /// best pair, converge again from there and keep the outcome only if its inertia is lower. Lloyd and
    /// Hartigan moves are local; a swap moves a whole centroid across the space, out of a local optimum.
    /// </summary>
    private void Swap(KMeansOptions options, double tolerance, int restart, Random random, IProgress<KMeansProgress>? progress, CancellationToken cancellationToken)
    {
        if (_k < 2 || options.Swaps == 0) return;
        var own = new double[_n];
        var second = new double[_n];
        var cumulative = new double[_n];
        var change = new double[_k];
        var savedCenters = new double[_centers.Length];
        var savedLabels = new int[_n];
        var candidates = 2 * (2 + (int)Math.Log(_k));
        for (var trial = 1; trial <= options.Swaps; trial++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Squared distance of each point to its own and to its nearest other centroid.
            double total = 0;
            for (var i = 0; i < _n; i++)
            {
                var row = _points.Row(i);
                var label = _labels[i];
                var distances = _distanceBuffer.AsSpan();
                SquaredDistance.ToCenters(row, _centers, distances);
                var next = double.PositiveInfinity;
                for (var j = 0; j < _k; j++)
                {
                    if (j != label) next = Math.Min(next, distances[j]);
                }
                own[i] = distances[label];
                second[i] = next;
                total += own[i];
                cumulative[i] = total;
            }
            if (total == 0) return;
            // Inertia after moving centroid j onto point p, before any re-convergence:
            // total − (what p takes from every cluster) + (what the points of j pay to go elsewhere).
            var estimate = double.PositiveInfinity;
            int moved = -1, target = -1;
            for (var c = 0; c < candidates; c++)
            {
                var point = FirstAbove(cumulative, random.NextDouble() * total);
                var candidate = _points.Row(point);
                Array.Clear(change);
                double gain = 0;
                for (var i = 0; i < _n; i++)
                {
                    var d = SquaredDistance.Between(_points.Row(i), candidate);
                    var kept = Math.Min(own[i], d);
                    gain += own[i] - kept;
                    change[_labels[i]] += Math.Min(second[i], d) - kept;
                }
                for (var j = 0; j < _k; j++)
                {
                    var after = total - gain + change[j];
                    if (after < estimate)
                    {
                        estimate = after;
                        moved = j;
                        target = point;
                    }
                }
            }
            _centers.CopyTo(savedCenters, 0);
            _labels.CopyTo(savedLabels, 0);
            _points.Row(target).CopyTo(Center(moved));
            Iterate(options, tolerance, restart, null, cancellationToken);
            var inertia = AssignedInertia();
            // Refinement moves few points; measured on teen-sns it never turned a trial that Lloyd left no better
            // than the incumbent into a better one, so such trials are dropped without it.
            if (options.Refine && inertia < Inertia)
            {
                Refine(restart, null, cancellationToken);
                inertia = AssignedInertia();
            }
            if (inertia < Inertia * (1 - 1e-12))
            {
                Inertia = inertia;
                Swaps++;
            }
            else
            {
                savedCenters.CopyTo(_centers, 0);
                savedLabels.CopyTo(_labels, 0);
            }
            progress?.Report(new KMeansProgress(restart, trial, KMeansPhase.Swap, Inertia));
        }
    }

    private Span<double> Center(int j) => _centers.AsSpan(j * _stride, _stride);

    private Span<double> Sum(int j) => _sums.AsSpan(j * _stride, _stride);

    /// <summary>
    /// Greedy k-means++ (scikit-learn's _kmeans_plusplus): each new centre is the best of 2 + ln k candidates
    /// drawn with probability proportional to the squared distance to the nearest centre so far.
    /// </summary>
    private void Seed(Random random, CancellationToken cancellationToken)
    {
        var trials = 2 + (int)Math.Log(_k);
        var closest = new double[_n];
        var cumulative = new double[_n];
        var candidateClosest = new double[trials * _n];
        var candidates = new int[trials];
        // Nearest centre of each point and the distances between centres and a candidate let the
        // triangle inequality skip most point-candidate distances: if d(c, cand) >= 2 d(x, c) the candidate
        // cannot be closer to x than c is.
        var nearest = new int[_n];
        var centerToCandidate = new double[_k];

        var first = random.Next(_n);
        _points.Row(first).CopyTo(Center(0));
        for (var i = 0; i < _n; i++) closest[i] = SquaredDistance.Between(_points.Row(i), _points.Row(first));

        for (var c = 1; c < _k; c++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            double total = 0;
            for (var i = 0; i < _n; i++)
            {
                total += closest[i];
                cumulative[i] = total;
            }
            for (var t = 0; t < trials; t++) candidates[t] = FirstAbove(cumulative, random.NextDouble() * total);

            var best = 0;
            var bestPotential = double.PositiveInfinity;
            for (var t = 0; t < trials; t++)
            {
                var candidate = _points.Row(candidates[t]);
                for (var j = 0; j < c; j++) centerToCandidate[j] = SquaredDistance.Between(Center(j), candidate);
                var distances = candidateClosest.AsSpan(t * _n, _n);
                double potential = 0;
                for (var i = 0; i < _n; i++)
                {
                    var d = closest[i];
                    if (centerToCandidate[nearest[i]] < 4 * d)
                    {
                        var e = SquaredDistance.Between(_points.Row(i), candidate);
                        if (e < d) d = e;
                    }
                    distances[i] = d;
                    potential += d;
                }
                if (potential < bestPotential)
                {
                    bestPotential = potential;
                    best = t;
                }
            }
            var chosen = candidateClosest.AsSpan(best * _n, _n);
            for (var i = 0; i < _n; i++)
            {
                if (chosen[i] < closest[i])
                {
                    closest[i] = chosen[i];
                    nearest[i] = c;
                }
            }
            _points.Row(candidates[best]).CopyTo(Center(c));
        }
    }

    /// <summary>First index whose running total exceeds <paramref name="target"/>; the last index when rounding leaves none.</summary>
    private static int FirstAbove(double[] cumulative, double target)
    {
        int low = 0, high = cumulative.Length - 1;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (cumulative[middle] > target) high = middle;
            else low = middle + 1;
        }
        return low;
    }

    /// <summary>Lloyd iterations in scikit-learn's order: assign, update, stop on unchanged labels or small movement.</summary>
    private int Iterate(KMeansOptions options, double tolerance, int restart, IProgress<KMeansProgress>? progress, CancellationToken cancellationToken)
    {
        // Unknown labels: an infinite upper bound forces every point through the assignment test.
        Array.Fill(_upper, double.PositiveInfinity);
        Array.Fill(_lower, 0);
        var assignment = options.Assignment;
        var converged = false;
        var iterations = 0;
        // Sums are rebuilt once from the first assignment, then follow each label change, so an iteration
        // touches only the points whose bounds fail instead of reading every row again.
        _trackSums = false;
        for (var iteration = 1; iteration <= options.MaxIterations; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var changed = Assign(assignment);
            if (iteration == 1)
            {
                changed = _n;
                RebuildSums();
                _trackSums = true;
            }
            var movement = UpdateCenters();
            if (assignment == KMeansAssignment.Hamerly) MoveBounds();
            iterations = iteration;
            progress?.Report(new KMeansProgress(restart, iteration, KMeansPhase.Lloyd, AssignedInertia()));
            if (changed == 0 && !_relocated)
            {
                converged = true;
                break;
            }
            if (movement <= tolerance) break;
        }
        // As scikit-learn does: labels must match the final centres even when movement, not labels, stopped the loop.
        if (!converged)
        {
            Assign(assignment);
        }
        _trackSums = false;
        return iterations;
    }

    private int Assign(KMeansAssignment assignment) => assignment == KMeansAssignment.Hamerly ? AssignWithBounds() : AssignAll();

    /// <summary>Nearest centre for every point by a full scan. Returns how many labels changed.</summary>
    private int AssignAll()
    {
        var changed = 0;
        for (var i = 0; i < _n; i++)
        {
            var distances = _distanceBuffer.AsSpan();
            SquaredDistance.ToCenters(_points.Row(i), _centers, distances);
            var best = 0;
            var bestDistance = double.PositiveInfinity;
            for (var j = 0; j < _k; j++)
            {
                var d = distances[j];
                if (d < bestDistance)
                {
                    bestDistance = d;
                    best = j;
                }
            }
            if (_labels[i] != best)
            {
                Relabel(i, best);
                changed++;
            }
        }
        return changed;
    }

    private void Relabel(int point, int label)
    {
        if (_trackSums)
        {
            var row = _points.Row(point);
            var old = _labels[point];
            SquaredDistance.Subtract(Sum(old), row);
            SquaredDistance.Add(Sum(label), row);
            _counts[old]--;
            _counts[label]++;
        }
        _labels[point] = label;
    }

    private void RebuildSums()
    {
        Array.Clear(_sums);
        Array.Clear(_counts);
        for (var i = 0; i < _n; i++)
        {
            var label = _labels[i];
            _counts[label]++;
            SquaredDistance.Add(Sum(label), _points.Row(i));
        }
    }

    /// <summary>
    /// Hamerly's assignment: a point keeps its label without a scan when its distance to its own centre is within
    /// max(half the gap to the nearest other centre, its lower bound on the second-nearest distance).
    /// </summary>
    private int AssignWithBounds()
    {
        for (var j = 0; j < _k; j++)
        {
            var gap = double.PositiveInfinity;
            for (var other = 0; other < _k; other++)
            {
                if (other != j) gap = Math.Min(gap, SquaredDistance.Between(Center(j), Center(other)));
            }
            _halfGap[j] = 0.5 * Math.Sqrt(gap);
        }
        var changed = 0;
        for (var i = 0; i < _n; i++)
        {
            var label = _labels[i];
            var limit = Math.Max(_halfGap[label], _lower[i]);
            if (_upper[i] <= limit) continue;
            var row = _points.Row(i);
            _upper[i] = Math.Sqrt(SquaredDistance.Between(row, Center(label)));
            if (_upper[i] <= limit) continue;

            var distances = _distanceBuffer.AsSpan();
            SquaredDistance.ToCenters(row, _centers, distances);
            var best = 0;
            double first = double.PositiveInfinity, second = double.PositiveInfinity;
            for (var j = 0; j < _k; j++)
            {
                var d = distances[j];
                if (d < first)
                {
                    second = first;
                    first = d;
                    best = j;
                }
                else if (d < second) second = d;
            }
            if (best != label)
            {
                Relabel(i, best);
                changed++;
            }
            _upper[i] = Math.Sqrt(first);
            _lower[i] = Math.Sqrt(second);
        }
        return changed;
    }

    /// <summary>Centroids become the means of their points. Returns the summed squared movement.</summary>
    private double UpdateCenters()
    {
        _relocated = false;
        for (var j = 0; j < _k; j++)
        {
            if (_counts[j] == 0)
            {
                RelocateEmpty();
                break;
            }
        }
        double movement = 0;
        var buffer = _meanBuffer;
        for (var j = 0; j < _k; j++)
        {
            if (_counts[j] == 0)
            {
                // Fewer distinct points than clusters: the centre stays where it is.
                _shift[j] = 0;
                continue;
            }
            var sum = Sum(j);
            var scale = 1.0 / _counts[j];
            for (var f = 0; f < _stride; f++) buffer[f] = sum[f] * scale;
            var moved = SquaredDistance.Between(buffer, Center(j));
            movement += moved;
            _shift[j] = Math.Sqrt(moved);
            buffer.CopyTo(Center(j));
        }
        return movement;
    }

    /// <summary>
    /// Gives each empty cluster the point farthest from its (old) centre, taken from a cluster that keeps at least
    /// one point, as scikit-learn does. That point alone costs nothing in its new cluster, so inertia never rises.
    /// </summary>
    private void RelocateEmpty()
    {
        var distance = new double[_n];
        for (var i = 0; i < _n; i++) distance[i] = SquaredDistance.Between(_points.Row(i), Center(_labels[i]));
        for (var j = 0; j < _k; j++)
        {
            if (_counts[j] != 0) continue;
            var farthest = -1;
            for (var i = 0; i < _n; i++)
            {
                if (_counts[_labels[i]] > 1 && distance[i] >= 0 && (farthest < 0 || distance[i] > distance[farthest])) farthest = i;
            }
            if (farthest < 0) break;
            var old = _labels[farthest];
            SquaredDistance.Subtract(Sum(old), _points.Row(farthest));
            _counts[old]--;
            _points.Row(farthest).CopyTo(Sum(j));
            _counts[j] = 1;
            _labels[farthest] = j;
            _relocated = true;
            distance[farthest] = -1;
            _upper[farthest] = 0;
            _lower[farthest] = 0;
        }
    }

    /// <summary>After centres move, widen each point's bounds by the movement so they stay valid.</summary>
    private void MoveBounds()
    {
        var largest = 0;
        for (var j = 1; j < _k; j++) if (_shift[j] > _shift[largest]) largest = j;
        var secondLargest = 0.0;
        for (var j = 0; j < _k; j++) if (j != largest && _shift[j] > secondLargest) secondLargest = _shift[j];
        var maxShift = _shift[largest];
        for (var i = 0; i < _n; i++)
        {
            var label = _labels[i];
            _upper[i] += _shift[label];
            _lower[i] -= label == largest ? secondLargest : maxShift;
        }
    }

    /// <summary>
    /// Hartigan's rule: move a point from cluster A (n_A points) to B when n_B/(n_B+1)·d²(x, μ_B) is below
    /// n_A/(n_A−1)·d²(x, μ_A), which is exactly when the move lowers the inertia; means follow each move.
    /// </summary>
    /// <remarks>
    /// Most points sit deep inside their cluster, so a lower bound on the distance to every other centroid
    /// skips their scan. The bound is kept valid cheaply: it drops by the total centroid movement since it was
    /// measured (a sum over all centroids bounds the movement of any one of them).
    /// </remarks>
    private int Refine(int restart, IProgress<KMeansProgress>? progress, CancellationToken cancellationToken)
    {
        RecomputeMeans();
        // lower[i]: distance from point i to its nearest other centroid, measured when the drift total was drift[i].
        var measuredAt = _upper;
        Array.Fill(_lower, 0);
        Array.Fill(measuredAt, 0);
        double drift = 0;
        var previous = new double[_centers.Length];
        const int MaxPasses = 1000;
        var passes = 0;
        for (var pass = 1; pass <= MaxPasses; pass++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var smallest = int.MaxValue;
            for (var j = 0; j < _k; j++) smallest = Math.Min(smallest, _counts[j]);
            var moves = 0;
            for (var i = 0; i < _n; i++)
            {
                var from = _labels[i];
                var fromCount = _counts[from];
                if (fromCount <= 1) continue;
                var row = _points.Row(i);
                var stay = SquaredDistance.Between(row, Center(from)) * fromCount / (fromCount - 1.0);
                var bound = _lower[i] - (drift - measuredAt[i]);
                if (bound > 0 && bound * bound * smallest / (smallest + 1.0) >= stay) continue;

                // A margin keeps rounding noise from moving a point back and forth forever.
                var bar = stay * (1 - 1e-12);
                var to = -1;
                var toDistance = double.PositiveInfinity;
                var nearestOther = double.PositiveInfinity;
                var nearestOtherThanTarget = double.PositiveInfinity;
                var distances = _distanceBuffer.AsSpan();
                SquaredDistance.ToCenters(row, _centers, distances);
                for (var j = 0; j < _k; j++)
                {
                    if (j == from) continue;
                    var d = distances[j];
                    var toCount = _counts[j];
                    var cost = d * toCount / (toCount + 1.0);
                    if (cost < bar)
                    {
                        bar = cost;
                        nearestOtherThanTarget = Math.Min(nearestOtherThanTarget, toDistance);
                        toDistance = d;
                        to = j;
                    }
                    else nearestOtherThanTarget = Math.Min(nearestOtherThanTarget, d);
                    nearestOther = Math.Min(nearestOther, d);
                }
                if (to < 0)
                {
                    _lower[i] = Math.Sqrt(nearestOther);
                    measuredAt[i] = drift;
                    continue;
                }
                drift += Move(i, from, to);
                if (_counts[from] < smallest) smallest = _counts[from];
                // The old centroid only moved away from the point, so the pre-move distance still bounds it.
                var fromDistance = Math.Sqrt(stay * (fromCount - 1.0) / fromCount);
                _lower[i] = Math.Min(fromDistance, Math.Sqrt(nearestOtherThanTarget));
                measuredAt[i] = drift;
                moves++;
            }
            passes = pass;
            if (moves > 0)
            {
                _centers.CopyTo(previous, 0);
                RecomputeMeans();
                for (var j = 0; j < _k; j++) drift += Math.Sqrt(SquaredDistance.Between(Center(j), previous.AsSpan(j * _stride, _stride)));
            }
            progress?.Report(new KMeansProgress(restart, pass, KMeansPhase.Refinement, AssignedInertia()));
            if (moves == 0) break;
        }
        return passes;
    }

    /// <summary>Moves one point and updates both means. Returns how far the two centroids moved together.</summary>
    private double Move(int point, int from, int to)
    {
        var row = _points.Row(point);
        var source = Center(from);
        var target = Center(to);
        double fromCount = _counts[from], toCount = _counts[to];
        var fromDistance = Math.Sqrt(SquaredDistance.Between(row, source));
        var toDistance = Math.Sqrt(SquaredDistance.Between(row, target));
        for (var f = 0; f < _stride; f++)
        {
            source[f] += (source[f] - row[f]) / (fromCount - 1);
            target[f] += (row[f] - target[f]) / (toCount + 1);
        }
        _counts[from]--;
        _counts[to]++;
        _labels[point] = to;
        return fromDistance / (fromCount - 1) + toDistance / (toCount + 1);
    }

    /// <summary>Exact means from the labels, so rounding from many incremental moves does not accumulate.</summary>
    private void RecomputeMeans()
    {
        Array.Clear(_sums);
        Array.Clear(_counts);
        for (var i = 0; i < _n; i++)
        {
            _counts[_labels[i]]++;
            SquaredDistance.Add(Sum(_labels[i]), _points.Row(i));
        }
        for (var j = 0; j < _k; j++)
        {
            if (_counts[j] == 0) continue;
            var sum = Sum(j);
            var center = Center(j);
            var scale = 1.0 / _counts[j];
            for (var f = 0; f < _stride; f++) center[f] = sum[f] * scale;
        }
    }

    private double AssignedInertia()
    {
        double total = 0;
        for (var i = 0; i < _n; i++) total += SquaredDistance.Between(_points.Row(i), Center(_labels[i]));
        return total;
    }
}
