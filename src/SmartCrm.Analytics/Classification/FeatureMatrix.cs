using System.Runtime.CompilerServices;

namespace SmartCrm.Analytics.Classification;

/// <summary>How a model reads a column of a <see cref="FeatureMatrix"/>.</summary>
public enum FeatureKind
{
    /// <summary>An ordered number: splits compare it with a threshold.</summary>
    Numeric,

    /// <summary>
    /// A category coded 0, 1, 2, …: splits send sets of categories left or right, never compare codes.
    /// Codes must be whole numbers from 0 to <see cref="FeatureMatrix.MaxCategories"/> − 1.
    /// </summary>
    Categorical,
}

/// <summary>
/// Dense training or scoring data: one row per example, one column per feature, stored row by row.
/// Every value is checked once on construction, so models downstream never see NaN or infinity.
/// </summary>
public sealed class FeatureMatrix
{
    /// <summary>The largest number of distinct codes a categorical column may use.</summary>
    public const int MaxCategories = 254;

    private readonly double[] _values;
    private readonly FeatureKind[] _kinds;
    private readonly string[] _names;

    /// <summary>Wraps <paramref name="values"/> (row-major, <paramref name="rows"/> × <paramref name="columns"/>) without copying.</summary>
    /// <param name="values">The values, row after row.</param>
    /// <param name="rows">Number of examples.</param>
    /// <param name="columns">Number of features.</param>
    /// <param name="kinds">Kind of each column; all numeric when null.</param>
    /// <param name="names">Name of each column, used in explanations; "x0", "x1", … when null.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public FeatureMatrix(double[] values, int rows, int columns, IReadOnlyList<FeatureKind>? kinds = null, IReadOnlyList<string>? names = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        if ((long)rows * columns != values.Length)
            throw new ArgumentException($"FeatureMatrix: {values.Length} values cannot fill {rows} rows × {columns} columns.", nameof(values));
        if (kinds is not null && kinds.Count != columns)
            throw new ArgumentException($"FeatureMatrix: {kinds.Count} kinds given for {columns} columns.", nameof(kinds));
        if (names is not null && names.Count != columns)
            throw new ArgumentException($"FeatureMatrix: {names.Count} names given for {columns} columns.", nameof(names));
        this._values = values;
        Rows = rows;
        Columns = columns;
        this._kinds = kinds?.ToArray() ?? new FeatureKind[columns];
        this._names = names?.ToArray() ?? Enumerable.Range(0, columns).Select(c => $"x{c}").ToArray();
        for (var i = 0; i < values.Length; i++)
        {
            var v = values[i];
            if (!double.IsFinite(v))
                throw new ArgumentException($"FeatureMatrix: value at row {i / columns}, column '{this._names[i % columns]}' is {v}; impute or drop it first.", nameof(values));
            if (this._kinds[i % columns] == FeatureKind.Categorical && (v < 0 || v >= MaxCategories || v != Math.Floor(v)))
                throw new ArgumentException($"FeatureMatrix: categorical column '{this._names[i % columns]}' has code {v} at row {i / columns}; codes are whole numbers 0..{MaxCategories - 1}.", nameof(values));
        }
    }

    /// <summary>Builds a matrix from one array per row (copied).</summary>
    public static FeatureMatrix FromRows(IReadOnlyList<double[]> rows, IReadOnlyList<FeatureKind>? kinds = null, IReadOnlyList<string>? names = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0) throw new ArgumentException("FeatureMatrix.FromRows: no rows.", nameof(rows));
        var columns = rows[0].Length;
        var values = new double[rows.Count * columns];
        for (var r = 0; r < rows.Count; r++)
        {
            if (rows[r].Length != columns)
                throw new ArgumentException($"FeatureMatrix.FromRows: row {r} has {rows[r].Length} values, row 0 has {columns}.", nameof(rows));
            rows[r].CopyTo(values, r * columns);
        }
        return new FeatureMatrix(values, rows.Count, columns, kinds, names);
    }

    /// <summary>Number of examples.</summary>
    public int Rows { get; }

    /// <summary>Number of features.</summary>
    public int Columns { get; }

    /// <summary>The kind of each column.</summary>
    public IReadOnlyList<FeatureKind> Kinds => _kinds;

    /// <summary>The name of each column.</summary>
    public IReadOnlyList<string> Names => _names;

    /// <summary>The value at <paramref name="row"/>, <paramref name="column"/>.</summary>
    public double this[int row, int column] => _values[row * Columns + column];

    /// <summary>The features of one example.</summary>
    public ReadOnlySpan<double> Row(int row)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, Rows);
        return _values.AsSpan(row * Columns, Columns);
    }

    /// <summary>A new matrix holding the given rows, in that order (for cross-validation folds).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public FeatureMatrix Select(ReadOnlySpan<int> rows)
    {
        var copy = new double[rows.Length * Columns];
        for (var i = 0; i < rows.Length; i++) Row(rows[i]).CopyTo(copy.AsSpan(i * Columns, Columns));
        return new FeatureMatrix(copy, rows.Length, Columns, _kinds, _names, trusted: true);
    }

    internal ReadOnlySpan<double> Values => _values;

    private FeatureMatrix(double[] values, int rows, int columns, FeatureKind[] kinds, string[] names, bool trusted)
    {
        _ = trusted;
        this._values = values;
        Rows = rows;
        Columns = columns;
        this._kinds = kinds;
        this._names = names;
    }
}
