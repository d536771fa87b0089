namespace SmartCrm.Analytics.Text;

/// <summary>A fitted linear classifier over sparse vectors (TF-IDF rows).</summary>
public interface ITextClassifier
{
    /// <summary>Number of classes (codes 0..ClassCount−1).</summary>
    int ClassCount { get; }

    /// <summary>Number of columns a row may use.</summary>
    int FeatureCount { get; }

    /// <summary>Writes one score per class for <paramref name="row"/>: higher means more likely.</summary>
    void Scores(SparseVector row, Span<double> scores);
}

/// <summary>Predictions every <see cref="ITextClassifier"/> gets.</summary>
public static class TextClassifierPredictions
{
    /// <summary>The best-scoring class of one row (lowest code on ties).</summary>
    public static int Predict(this ITextClassifier classifier, SparseVector row)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        Span<double> scores = classifier.ClassCount <= 512 ? stackalloc double[classifier.ClassCount] : new double[classifier.ClassCount];
        classifier.Scores(row, scores);
        var best = 0;
        for (var k = 1; k < scores.Length; k++) if (scores[k] > scores[best]) best = k;
        return best;
    }

    /// <summary>The best-scoring class of every row.</summary>
    public static int[] Predict(this ITextClassifier classifier, CsrMatrix x)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentNullException.ThrowIfNull(x);
        if (x.Columns > classifier.FeatureCount) throw new ArgumentException($"Predict: rows have {x.Columns} columns, the model knows {classifier.FeatureCount}.", nameof(x));
        var result = new int[x.Rows];
        for (var r = 0; r < x.Rows; r++) result[r] = classifier.Predict(x.Row(r));
        return result;
    }
}

/// <summary>Checks shared by the text classifiers.</summary>
internal static class TextLabels
{
    public static int Check(CsrMatrix x, ReadOnlySpan<int> labels, string place)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rows == 0) throw new ArgumentException($"{place}: no training rows.", nameof(x));
        if (labels.Length != x.Rows) throw new ArgumentException($"{place}: {labels.Length} labels for {x.Rows} rows.", nameof(labels));
        var max = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] < 0) throw new ArgumentException($"{place}: label at row {i} is {labels[i]}; class codes start at 0.", nameof(labels));
            max = Math.Max(max, labels[i]);
        }
        if (max == 0) throw new ArgumentException($"{place}: every row has class 0; at least two classes are needed.", nameof(labels));
        return max + 1;
    }
}
