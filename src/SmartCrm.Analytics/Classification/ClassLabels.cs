namespace SmartCrm.Analytics.Classification;

/// <summary>
/// Turns labels of any type into the class codes 0..K−1 that the classifiers take, and back.
/// Classes are numbered in sorted order of their labels, as scikit-learn's LabelEncoder does.
/// </summary>
/// <typeparam name="TLabel">The label type (string category, bool, …).</typeparam>
public sealed class ClassLabels<TLabel> where TLabel : notnull
{
    private readonly Dictionary<TLabel, int> _codes;

    /// <summary>Collects the distinct labels of <paramref name="labels"/>.</summary>
    public ClassLabels(IEnumerable<TLabel> labels, IComparer<TLabel>? order = null)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var distinct = labels.Distinct().ToList();
        distinct.Sort(order ?? Comparer<TLabel>.Default);
        Names = distinct;
        _codes = new Dictionary<TLabel, int>(distinct.Count);
        for (var i = 0; i < distinct.Count; i++) _codes[distinct[i]] = i;
    }

    /// <summary>The label of each class code.</summary>
    public IReadOnlyList<TLabel> Names { get; }

    /// <summary>Number of classes.</summary>
    public int Count => Names.Count;

    /// <summary>The class code of each label; a label never seen on construction is an error.</summary>
    public int[] Encode(IEnumerable<TLabel> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        return labels.Select(l => _codes.TryGetValue(l, out var c) ? c : throw new ArgumentException($"ClassLabels.Encode: unknown label '{l}'.", nameof(labels))).ToArray();
    }
}

/// <summary>Checks on class codes shared by the classifiers.</summary>
internal static class ClassCodes
{
    /// <summary>Validates codes for <paramref name="rows"/> examples and returns the number of classes (largest code + 1, at least 2).</summary>
    public static int Check(ReadOnlySpan<int> labels, int rows, string place)
    {
        if (labels.Length != rows)
            throw new ArgumentException($"{place}: {labels.Length} labels for {rows} rows.", nameof(labels));
        if (rows == 0) throw new ArgumentException($"{place}: no training rows.", nameof(labels));
        var max = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] < 0) throw new ArgumentException($"{place}: label at row {i} is {labels[i]}; class codes start at 0.", nameof(labels));
            if (labels[i] > max) max = labels[i];
        }
        return Math.Max(max + 1, 2);
    }
}
