namespace SmartCrm.Analytics.Text;

/// <summary>Cosine similarity between sparse or dense vectors, and nearest neighbours by it.</summary>
public static class Cosine
{
    /// <summary>cos(a, b) = a·b / (‖a‖‖b‖); 0 when either vector is all zeros.</summary>
    public static double Similarity(SparseVector a, SparseVector b)
    {
        var norms = a.Norm() * b.Norm();
        return norms > 0 ? a.Dot(b) / norms : 0;
    }

    /// <summary>cos(a, b) for dense vectors of the same length; 0 when either is all zeros.</summary>
    public static double Similarity(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"Cosine.Similarity: vectors of length {a.Length} and {b.Length}.", nameof(b));
        var norms = Math.Sqrt(VectorMath.Dot(a, a) * VectorMath.Dot(b, b));
        return norms > 0 ? VectorMath.Dot(a, b) / norms : 0;
    }

    /// <summary>The similarity of <paramref name="query"/> to every row of <paramref name="rows"/>.</summary>
    public static double[] Similarities(CsrMatrix rows, SparseVector query)
    {
        ArgumentNullException.ThrowIfNull(rows);
        // Scatter the query into a dense buffer once so each row costs only its own stored values.
        var dense = new double[rows.Columns];
        var queryNorm = query.Norm();
        for (var p = 0; p < query.Count; p++)
            if ((uint)query.Indices[p] < (uint)rows.Columns) dense[query.Indices[p]] = query.Values[p];
        var result = new double[rows.Rows];
        if (queryNorm == 0) return result;
        for (var r = 0; r < rows.Rows; r++)
        {
            var row = rows.Row(r);
            var norm = row.Norm();
            result[r] = norm > 0 ? row.Dot(dense) / (norm * queryNorm) : 0;
        }
        return result;
    }

    /// <summary>The <paramref name="count"/> rows most similar to <paramref name="query"/>, best first (lower row first on ties).</summary>
    public static IReadOnlyList<(int Row, double Similarity)> Nearest(CsrMatrix rows, SparseVector query, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var similarities = Similarities(rows, query);
        var order = Enumerable.Range(0, similarities.Length)
            .OrderByDescending(i => similarities[i]).ThenBy(i => i).Take(count);
        return order.Select(i => (i, similarities[i])).ToArray();
    }
}
