namespace SmartCrm.Analytics.Evaluation;

/// <summary>Error and ranking measures used to judge models against held-out data.</summary>
public static class Metrics
{
    /// <summary>Root mean squared error between <paramref name="actual"/> and <paramref name="predicted"/>.</summary>
    public static double Rmse(ReadOnlySpan<double> actual, ReadOnlySpan<double> predicted)
    {
        CheckPaired(actual, predicted);
        double sum = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            var d = actual[i] - predicted[i];
            sum += d * d;
        }
        return Math.Sqrt(sum / actual.Length);
    }

    /// <summary>Mean absolute error.</summary>
    public static double Mae(ReadOnlySpan<double> actual, ReadOnlySpan<double> predicted)
    {
        CheckPaired(actual, predicted);
        double sum = 0;
        for (var i = 0; i < actual.Length; i++) sum += Math.Abs(actual[i] - predicted[i]);
        return sum / actual.Length;
    }

    /// <summary>Mean absolute percentage error, as a fraction (0.029 is 2.9 %). Actual values must be non-zero.</summary>
    public static double Mape(ReadOnlySpan<double> actual, ReadOnlySpan<double> predicted)
    {
        CheckPaired(actual, predicted);
        double sum = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            if (actual[i] == 0) throw new ArgumentException($"MAPE is undefined: actual value at index {i} is zero.", nameof(actual));
            sum += Math.Abs((actual[i] - predicted[i]) / actual[i]);
        }
        return sum / actual.Length;
    }

    /// <summary>
    /// Mean absolute scaled error: forecast MAE divided by the in-sample MAE of the seasonal naive forecast
    /// with period <paramref name="season"/> (1 for the plain naive forecast).
    /// </summary>
    public static double Mase(ReadOnlySpan<double> training, ReadOnlySpan<double> actual, ReadOnlySpan<double> predicted, int season = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(season, 1);
        if (training.Length <= season) throw new ArgumentException($"MASE needs more than {season} training points.", nameof(training));
        double scale = 0;
        for (var i = season; i < training.Length; i++) scale += Math.Abs(training[i] - training[i - season]);
        scale /= training.Length - season;
        if (scale == 0) throw new ArgumentException("MASE is undefined: the training series is constant at the seasonal lag.", nameof(training));
        return Mae(actual, predicted) / scale;
    }

    /// <summary>Share of positions where <paramref name="actual"/> equals <paramref name="predicted"/>.</summary>
    public static double Accuracy<T>(ReadOnlySpan<T> actual, ReadOnlySpan<T> predicted) where T : IEquatable<T>
    {
        if (actual.Length != predicted.Length) throw new ArgumentException("actual and predicted differ in length.", nameof(predicted));
        if (actual.IsEmpty) throw new ArgumentException("No values to score.", nameof(actual));
        var hits = 0;
        for (var i = 0; i < actual.Length; i++) if (actual[i].Equals(predicted[i])) hits++;
        return (double)hits / actual.Length;
    }

    /// <summary>
    /// Area under the ROC curve for binary labels (true = positive) and scores, with ties counted half
    /// (the Mann–Whitney statistic, as scikit-learn's roc_auc_score computes it).
    /// </summary>
    public static double RocAuc(ReadOnlySpan<bool> labels, ReadOnlySpan<double> scores)
    {
        if (labels.Length != scores.Length) throw new ArgumentException("labels and scores differ in length.", nameof(scores));
        var n = labels.Length;
        var order = new int[n];
        for (var i = 0; i < n; i++)
        {
            if (double.IsNaN(scores[i])) throw new ArgumentException($"Score at index {i} is NaN.", nameof(scores));
            order[i] = i;
        }
        var keys = scores.ToArray();
        Array.Sort(keys, order);
        long positives = 0;
        for (var i = 0; i < n; i++) if (labels[i]) positives++;
        var negatives = n - positives;
        if (positives == 0 || negatives == 0) throw new ArgumentException("ROC AUC needs both positive and negative labels.", nameof(labels));
        double rankSumPositives = 0;
        var start = 0;
        while (start < n)
        {
            var end = start;
            while (end + 1 < n && keys[end + 1] == keys[start]) end++;
            var averageRank = (start + end) / 2.0 + 1;
            for (var j = start; j <= end; j++) if (labels[order[j]]) rankSumPositives += averageRank;
            start = end + 1;
        }
        return (rankSumPositives - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }

    /// <summary>Precision at k: the share of the first k recommended items that are relevant.</summary>
    public static double PrecisionAtK<T>(IReadOnlyList<T> ranked, IReadOnlySet<T> relevant, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var hits = 0;
        for (var i = 0; i < Math.Min(k, ranked.Count); i++) if (relevant.Contains(ranked[i])) hits++;
        return (double)hits / k;
    }

    /// <summary>Recall at k: the share of relevant items found among the first k recommended.</summary>
    public static double RecallAtK<T>(IReadOnlyList<T> ranked, IReadOnlySet<T> relevant, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (relevant.Count == 0) return 0;
        var hits = 0;
        for (var i = 0; i < Math.Min(k, ranked.Count); i++) if (relevant.Contains(ranked[i])) hits++;
        return (double)hits / relevant.Count;
    }

    /// <summary>Normalised discounted cumulative gain at k with binary relevance.</summary>
    public static double NdcgAtK<T>(IReadOnlyList<T> ranked, IReadOnlySet<T> relevant, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (relevant.Count == 0) return 0;
        double dcg = 0, ideal = 0;
        for (var i = 0; i < Math.Min(k, ranked.Count); i++) if (relevant.Contains(ranked[i])) dcg += 1 / Math.Log2(i + 2);
        for (var i = 0; i < Math.Min(k, relevant.Count); i++) ideal += 1 / Math.Log2(i + 2);
        return dcg / ideal;
    }

    private static void CheckPaired(ReadOnlySpan<double> actual, ReadOnlySpan<double> predicted)
    {
        if (actual.Length != predicted.Length) throw new ArgumentException("actual and predicted differ in length.", nameof(predicted));
        if (actual.IsEmpty) throw new ArgumentException("No values to score.", nameof(actual));
    }
}
