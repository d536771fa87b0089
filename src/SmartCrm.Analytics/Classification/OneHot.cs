namespace SmartCrm.Analytics.Classification;

/// <summary>Expands categorical columns into 0/1 indicator columns for models that only read numbers.</summary>
public static class OneHot
{
    /// <summary>
    /// A copy of <paramref name="x"/> where each categorical column becomes one numeric column per category code seen
    /// in it ("name=code"), numeric columns kept in place. Pass the same <paramref name="categories"/> (from
    /// <see cref="CategoriesOf"/> on the training rows) when expanding scoring rows so both have the same columns.
    /// </summary>
    public static FeatureMatrix Expand(FeatureMatrix x, IReadOnlyList<int[]>? categories = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        categories ??= CategoriesOf(x);
        if (categories.Count != x.Columns) throw new ArgumentException($"OneHot.Expand: {categories.Count} category lists for {x.Columns} columns.", nameof(categories));
        var names = new List<string>();
        for (var f = 0; f < x.Columns; f++)
        {
            if (x.Kinds[f] == FeatureKind.Numeric) names.Add(x.Names[f]);
            else foreach (var c in categories[f]) names.Add($"{x.Names[f]}={c}");
        }
        var width = names.Count;
        var values = new double[x.Rows * width];
        for (var r = 0; r < x.Rows; r++)
        {
            var at = r * width;
            for (var f = 0; f < x.Columns; f++)
            {
                if (x.Kinds[f] == FeatureKind.Numeric) { values[at++] = x[r, f]; continue; }
                var slot = Array.IndexOf(categories[f], (int)x[r, f]);
                if (slot >= 0) values[at + slot] = 1;
                at += categories[f].Length;
            }
        }
        return new FeatureMatrix(values, x.Rows, width, null, names);
    }

    /// <summary>The sorted category codes present in each categorical column (empty for numeric columns).</summary>
    public static IReadOnlyList<int[]> CategoriesOf(FeatureMatrix x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var result = new int[x.Columns][];
        for (var f = 0; f < x.Columns; f++)
        {
            if (x.Kinds[f] == FeatureKind.Numeric) { result[f] = []; continue; }
            var set = new SortedSet<int>();
            for (var r = 0; r < x.Rows; r++) set.Add((int)x[r, f]);
            result[f] = [.. set];
        }
        return result;
    }
}
