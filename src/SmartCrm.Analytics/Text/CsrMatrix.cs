using System.Runtime.CompilerServices;
using System.Numerics;

namespace SmartCrm.Analytics.Text;

/// <summary>One sparse row: column indices in increasing order and their values.</summary>
public readonly ref struct SparseVector
{
    /// <summary>Wraps the two spans (same length, indices strictly increasing).</summary>
    public SparseVector(ReadOnlySpan<int> indices, ReadOnlySpan<float> values)
    {
        if (indices.Length != values.Length) throw new ArgumentException($"SparseVector: {indices.Length} indices but {values.Length} values.", nameof(values));
        Indices = indices;
        Values = values;
    }

    /// <summary>Column of each stored value, increasing.</summary>
    public ReadOnlySpan<int> Indices { get; }

    /// <summary>The stored values.</summary>
    public ReadOnlySpan<float> Values { get; }

    /// <summary>Number of stored values.</summary>
    public int Count => Indices.Length;

    /// <summary>Dot product with another sparse vector (a merge of the two sorted index lists).</summary>
    public double Dot(SparseVector other)
    {
        double sum = 0;
        int i = 0, j = 0;
        var a = Indices;
        var b = other.Indices;
        while (i < a.Length && j < b.Length)
        {
            if (a[i] == b[j]) { sum += (double)Values[i++] * other.Values[j++]; }
            else if (a[i] < b[j]) i++;
            else j++;
        }
        return sum;
    }

    /// <summary>Dot product with a dense vector indexed by column.</summary>
    public double Dot(ReadOnlySpan<double> dense)
    {
        double sum = 0;
        for (var i = 0; i < Indices.Length; i++) sum += Values[i] * dense[Indices[i]];
        return sum;
    }

    /// <summary>Euclidean length.</summary>
    public double Norm()
    {
        double sum = 0;
        foreach (var v in Values) sum += (double)v * v;
        return Math.Sqrt(sum);
    }
}

/// <summary>
/// A sparse matrix in compressed sparse row form (row starts, column indices, float values), the layout of
/// scipy's csr_matrix: document-term matrices and the like.
/// </summary>
public sealed class CsrMatrix
{
    private readonly int[] _rowStarts;
    private readonly int[] _indices;
    private readonly float[] _values;

    /// <summary>Wraps the arrays (not copied). Within a row, indices must be strictly increasing and below <paramref name="columns"/>; values finite.</summary>
    public CsrMatrix(int rows, int columns, int[] rowStarts, int[] indices, float[] values)
    {
        ArgumentNullException.ThrowIfNull(rowStarts);
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        if (rowStarts.Length != rows + 1 || rowStarts[0] != 0 || rowStarts[rows] != indices.Length)
            throw new ArgumentException($"CsrMatrix: rowStarts must have {rows + 1} entries, start at 0 and end at {indices.Length}.", nameof(rowStarts));
        if (indices.Length != values.Length) throw new ArgumentException($"CsrMatrix: {indices.Length} indices but {values.Length} values.", nameof(values));
        for (var r = 0; r < rows; r++)
        {
            if (rowStarts[r + 1] < rowStarts[r]) throw new ArgumentException($"CsrMatrix: rowStarts decrease at row {r}.", nameof(rowStarts));
            for (var p = rowStarts[r]; p < rowStarts[r + 1]; p++)
            {
                if ((uint)indices[p] >= (uint)columns || (p > rowStarts[r] && indices[p] <= indices[p - 1]))
                    throw new ArgumentException($"CsrMatrix: row {r} has column {indices[p]} out of order or outside 0..{columns - 1}.", nameof(indices));
                if (!float.IsFinite(values[p])) throw new ArgumentException($"CsrMatrix: row {r}, column {indices[p]} is {values[p]}.", nameof(values));
            }
        }
        Rows = rows;
        Columns = columns;
        this._rowStarts = rowStarts;
        this._indices = indices;
        this._values = values;
    }

    private CsrMatrix(int rows, int columns, int[] rowStarts, int[] indices, float[] values, bool trusted)
    {
        _ = trusted;
        (Rows, Columns, this._rowStarts, this._indices, this._values) = (rows, columns, rowStarts, indices, values);
    }

    internal static CsrMatrix Trusted(int rows, int columns, int[] rowStarts, int[] indices, float[] values) =>
        new(rows, columns, rowStarts, indices, values, trusted: true);

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    /// <summary>Number of columns.</summary>
    public int Columns { get; }

    /// <summary>Number of stored values.</summary>
    public int NonZeros => _indices.Length;

    /// <summary>Where each row starts in <see cref="Indices"/> and <see cref="Values"/>; one more entry than rows.</summary>
    public ReadOnlySpan<int> RowStarts => _rowStarts;

    /// <summary>Column of every stored value, row after row.</summary>
    public ReadOnlySpan<int> Indices => _indices;

    /// <summary>Every stored value, row after row.</summary>
    public ReadOnlySpan<float> Values => _values;

    /// <summary>Row <paramref name="row"/>.</summary>
    public SparseVector Row(int row)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, Rows);
        var start = _rowStarts[row];
        var length = _rowStarts[row + 1] - start;
        return new SparseVector(_indices.AsSpan(start, length), _values.AsSpan(start, length));
    }

    /// <summary>The value at <paramref name="row"/>, <paramref name="column"/> (0 when not stored).</summary>
    public float this[int row, int column]
    {
        get
        {
            var r = Row(row);
            var at = r.Indices.BinarySearch(column);
            return at >= 0 ? r.Values[at] : 0f;
        }
    }

    /// <summary>A new matrix of the given rows, in that order.</summary>
    public CsrMatrix SelectRows(ReadOnlySpan<int> rows)
    {
        var starts = new int[rows.Length + 1];
        for (var i = 0; i < rows.Length; i++)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(rows[i]);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(rows[i], Rows);
            starts[i + 1] = starts[i] + _rowStarts[rows[i] + 1] - _rowStarts[rows[i]];
        }
        var newIndices = new int[starts[^1]];
        var newValues = new float[starts[^1]];
        for (var i = 0; i < rows.Length; i++)
        {
            var from = _rowStarts[rows[i]];
            var length = starts[i + 1] - starts[i];
            Array.Copy(_indices, from, newIndices, starts[i], length);
            Array.Copy(_values, from, newValues, starts[i], length);
        }
        return Trusted(rows.Length, Columns, starts, newIndices, newValues);
    }

    /// <summary>
    /// Side-by-side concatenation (scipy's hstack) of blocks with the same rows, each block's values multiplied by its
    /// weight: the way word and character features are combined into one vector.
    /// </summary>
    public static CsrMatrix ConcatenateColumns(IReadOnlyList<CsrMatrix> blocks, IReadOnlyList<float>? weights = null)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        if (blocks.Count == 0) throw new ArgumentException("CsrMatrix.ConcatenateColumns: no blocks.", nameof(blocks));
        if (weights is not null && weights.Count != blocks.Count) throw new ArgumentException($"CsrMatrix.ConcatenateColumns: {weights.Count} weights for {blocks.Count} blocks.", nameof(weights));
        var rows = blocks[0].Rows;
        foreach (var b in blocks) if (b.Rows != rows) throw new ArgumentException($"CsrMatrix.ConcatenateColumns: blocks have {rows} and {b.Rows} rows.", nameof(blocks));
        var starts = new int[rows + 1];
        var total = blocks.Sum(b => (long)b.NonZeros);
        if (total > int.MaxValue) throw new ArgumentException("CsrMatrix.ConcatenateColumns: more than 2³¹ stored values.", nameof(blocks));
        var newIndices = new int[total];
        var newValues = new float[total];
        var at = 0;
        for (var r = 0; r < rows; r++)
        {
            var offset = 0;
            for (var b = 0; b < blocks.Count; b++)
            {
                var block = blocks[b];
                var weight = weights?[b] ?? 1f;
                for (var p = block._rowStarts[r]; p < block._rowStarts[r + 1]; p++)
                {
                    newIndices[at] = block._indices[p] + offset;
                    newValues[at++] = block._values[p] * weight;
                }
                offset += block.Columns;
            }
            starts[r + 1] = at;
        }
        return Trusted(rows, blocks.Sum(b => b.Columns), starts, newIndices, newValues);
    }

    /// <summary>A copy with every non-empty row scaled to Euclidean length 1.</summary>
    public CsrMatrix NormaliseRows()
    {
        var newValues = (float[])_values.Clone();
        NormaliseRowsInPlace(_rowStarts, newValues);
        return Trusted(Rows, Columns, _rowStarts, _indices, newValues);
    }

    internal static void NormaliseRowsInPlace(int[] starts, float[] values)
    {
        for (var r = 0; r + 1 < starts.Length; r++)
        {
            var row = values.AsSpan(starts[r], starts[r + 1] - starts[r]);
            double sum = 0;
            foreach (var v in row) sum += (double)v * v;
            if (sum <= 0) continue;
            var scale = (float)(1 / Math.Sqrt(sum));
            for (var i = 0; i < row.Length; i++) row[i] *= scale;
        }
    }

    /// <summary>Y = this · B for a dense row-major B of <see cref="Columns"/> × <paramref name="width"/>; Y is Rows × width, row-major.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void Multiply(ReadOnlySpan<double> b, int width, Span<double> y)
    {
        y.Clear();
        for (var r = 0; r < Rows; r++)
        {
            var target = y.Slice(r * width, width);
            for (var p = _rowStarts[r]; p < _rowStarts[r + 1]; p++) VectorMath.AddScaled(target, b.Slice(_indices[p] * width, width), _values[p]);
        }
    }

    /// <summary>Z = thisᵀ · Q for a dense row-major Q of <see cref="Rows"/> × <paramref name="width"/>; Z is Columns × width, row-major.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void MultiplyTransposed(ReadOnlySpan<double> q, int width, Span<double> z)
    {
        z.Clear();
        for (var r = 0; r < Rows; r++)
        {
            var source = q.Slice(r * width, width);
            for (var p = _rowStarts[r]; p < _rowStarts[r + 1]; p++) VectorMath.AddScaled(z.Slice(_indices[p] * width, width), source, _values[p]);
        }
    }
}
