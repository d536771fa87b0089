using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SmartCrm.Analytics.Clustering;

/// <summary>
/// A validated row-major copy of the caller's points with every row padded with zeros to a whole number of
/// SIMD vectors, so the distance kernels never handle a tail (zeros add nothing to a distance).
/// </summary>
internal sealed class PaddedPoints
{
    private PaddedPoints(double[] values, int rows, int columns, int stride)
    {
        Values = values;
        Rows = rows;
        Columns = columns;
        Stride = stride;
    }

    public double[] Values { get; }

    public int Rows { get; }

    public int Columns { get; }

    /// <summary>Row length in <see cref="Values"/>: <see cref="Columns"/> rounded up to a multiple of the vector width.</summary>
    public int Stride { get; }

    public ReadOnlySpan<double> Row(int row) => new(Values, row * Stride, Stride);

    public static int StrideFor(int columns) => (columns + Vector<double>.Count - 1) / Vector<double>.Count * Vector<double>.Count;

    /// <summary>Copies and checks <paramref name="points"/>: at least one row and column, every value finite.</summary>
    public static PaddedPoints From(double[,] points, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(points, parameterName);
        int rows = points.GetLength(0), columns = points.GetLength(1);
        if (rows == 0) throw new ArgumentException("No points: the matrix has no rows.", parameterName);
        if (columns == 0) throw new ArgumentException("No features: the matrix has no columns.", parameterName);
        var stride = StrideFor(columns);
        var values = new double[(long)rows * stride];
        var source = MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<byte, double>(ref MemoryMarshal.GetArrayDataReference(points)), points.Length);
        for (var i = 0; i < rows; i++)
        {
            var row = source.Slice(i * columns, columns);
            for (var j = 0; j < columns; j++)
            {
                if (!double.IsFinite(row[j])) throw new ArgumentException($"Point {i}, feature {j} is {row[j]}: every value must be a finite number.", parameterName);
            }
            row.CopyTo(values.AsSpan(i * stride, columns));
        }
        return new PaddedPoints(values, rows, columns, stride);
    }

    /// <summary>The rows as a caller-facing matrix without padding.</summary>
    public static double[,] Unpad(ReadOnlySpan<double> padded, int rows, int columns, int stride)
    {
        var result = new double[rows, columns];
        var target = MemoryMarshal.CreateSpan(ref Unsafe.As<byte, double>(ref MemoryMarshal.GetArrayDataReference(result)), result.Length);
        for (var i = 0; i < rows; i++) padded.Slice(i * stride, columns).CopyTo(target.Slice(i * columns, columns));
        return result;
    }
}

/// <summary>Squared Euclidean distance on padded rows (length a multiple of the vector width).</summary>
internal static class SquaredDistance
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Between(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        ref var pa = ref MemoryMarshal.GetReference(a);
        ref var pb = ref MemoryMarshal.GetReference(b);
        var width = Vector<double>.Count;
        var length = a.Length;
        var sum0 = Vector<double>.Zero;
        var sum1 = Vector<double>.Zero;
        var j = 0;
        // Two accumulators let consecutive fused multiply-adds overlap.
        for (; j + 2 * width <= length; j += 2 * width)
        {
            var d0 = Vector.LoadUnsafe(ref pa, (nuint)j) - Vector.LoadUnsafe(ref pb, (nuint)j);
            var d1 = Vector.LoadUnsafe(ref pa, (nuint)(j + width)) - Vector.LoadUnsafe(ref pb, (nuint)(j + width));
            sum0 = Vector.FusedMultiplyAdd(d0, d0, sum0);
            sum1 = Vector.FusedMultiplyAdd(d1, d1, sum1);
        }
        if (j < length)
        {
            var d = Vector.LoadUnsafe(ref pa, (nuint)j) - Vector.LoadUnsafe(ref pb, (nuint)j);
            sum0 = Vector.FusedMultiplyAdd(d, d, sum0);
        }
        return Vector.Sum(sum0 + sum1);
    }

    /// <summary>
    /// Squared distances from <paramref name="row"/> to each of the consecutive centres in <paramref name="centers"/>
    /// (one per element of <paramref name="distances"/>). Four centres share each load of the row, which roughly
    /// halves the loads of measuring them one at a time and keeps four independent sums in flight.
    /// </summary>
    public static void ToCenters(ReadOnlySpan<double> row, ReadOnlySpan<double> centers, Span<double> distances)
    {
        var stride = row.Length;
        var k = distances.Length;
        var width = Vector<double>.Count;
        ref var px = ref MemoryMarshal.GetReference(row);
        ref var pc = ref MemoryMarshal.GetReference(centers);
        var j = 0;
        for (; j + 4 <= k; j += 4)
        {
            ref var c0 = ref Unsafe.Add(ref pc, j * stride);
            ref var c1 = ref Unsafe.Add(ref c0, stride);
            ref var c2 = ref Unsafe.Add(ref c1, stride);
            ref var c3 = ref Unsafe.Add(ref c2, stride);
            Vector<double> s0 = Vector<double>.Zero, s1 = Vector<double>.Zero, s2 = Vector<double>.Zero, s3 = Vector<double>.Zero;
            for (var f = 0; f < stride; f += width)
            {
                var x = Vector.LoadUnsafe(ref px, (nuint)f);
                var d0 = x - Vector.LoadUnsafe(ref c0, (nuint)f);
                var d1 = x - Vector.LoadUnsafe(ref c1, (nuint)f);
                var d2 = x - Vector.LoadUnsafe(ref c2, (nuint)f);
                var d3 = x - Vector.LoadUnsafe(ref c3, (nuint)f);
                s0 = Vector.FusedMultiplyAdd(d0, d0, s0);
                s1 = Vector.FusedMultiplyAdd(d1, d1, s1);
                s2 = Vector.FusedMultiplyAdd(d2, d2, s2);
                s3 = Vector.FusedMultiplyAdd(d3, d3, s3);
            }
            distances[j] = Vector.Sum(s0);
            distances[j + 1] = Vector.Sum(s1);
            distances[j + 2] = Vector.Sum(s2);
            distances[j + 3] = Vector.Sum(s3);
        }
        for (; j < k; j++) distances[j] = Between(row, centers.Slice(j * stride, stride));
    }

    /// <summary>Adds <paramref name="source"/> into <paramref name="target"/> (same padded length).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Add(Span<double> target, ReadOnlySpan<double> source)
    {
        ref var pt = ref MemoryMarshal.GetReference(target);
        ref var ps = ref MemoryMarshal.GetReference(source);
        for (var j = 0; j < target.Length; j += Vector<double>.Count)
        {
            (Vector.LoadUnsafe(ref pt, (nuint)j) + Vector.LoadUnsafe(ref ps, (nuint)j)).StoreUnsafe(ref pt, (nuint)j);
        }
    }

    /// <summary>Subtracts <paramref name="source"/> from <paramref name="target"/> (same padded length).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Subtract(Span<double> target, ReadOnlySpan<double> source)
    {
        ref var pt = ref MemoryMarshal.GetReference(target);
        ref var ps = ref MemoryMarshal.GetReference(source);
        for (var j = 0; j < target.Length; j += Vector<double>.Count)
        {
            (Vector.LoadUnsafe(ref pt, (nuint)j) - Vector.LoadUnsafe(ref ps, (nuint)j)).StoreUnsafe(ref pt, (nuint)j);
        }
    }
}
