using SmartCrm.Analytics.Text;

namespace SmartCrm.Analytics.Tests.Text;

public class CsrMatrixTests
{
    private static CsrMatrix Small() => new(2, 4, [0, 2, 3], [0, 3, 1], [1f, 2f, 3f]);

    [Fact]
    public void Rows_and_cells_read_back()
    {
        var m = Small();

        m[0, 3].ShouldBe(2f);
        m[0, 1].ShouldBe(0f);
        m.Row(1).Indices.ToArray().ShouldBe([1]);
        m.NonZeros.ShouldBe(3);
    }

    [Fact]
    public void Malformed_arrays_are_refused()
    {
        Should.Throw<ArgumentException>(() => new CsrMatrix(2, 4, [0, 2], [0, 3], [1f, 2f])).Message.ShouldContain("rowStarts");
        Should.Throw<ArgumentException>(() => new CsrMatrix(1, 4, [0, 2], [3, 1], [1f, 2f])).Message.ShouldContain("out of order");
        Should.Throw<ArgumentException>(() => new CsrMatrix(1, 4, [0, 1], [4], [1f])).Message.ShouldContain("outside 0..3");
        Should.Throw<ArgumentException>(() => new CsrMatrix(1, 4, [0, 1], [0], [float.NaN])).Message.ShouldContain("NaN");
    }

    [Fact]
    public void Blocks_concatenate_side_by_side_with_weights()
    {
        var a = Small();
        var b = new CsrMatrix(2, 2, [0, 0, 1], [1], [5f]);

        var both = CsrMatrix.ConcatenateColumns([a, b], [1f, 0.5f]);

        both.Columns.ShouldBe(6);
        both[1, 5].ShouldBe(2.5f);
        both[0, 3].ShouldBe(2f);
        both.Row(1).Indices.ToArray().ShouldBe([1, 5]);
    }

    [Fact]
    public void Selecting_and_normalising_rows()
    {
        var m = Small();

        var picked = m.SelectRows([1, 0, 1]);
        var unit = m.NormaliseRows();

        picked.Rows.ShouldBe(3);
        picked[2, 1].ShouldBe(3f);
        picked[1, 3].ShouldBe(2f);
        unit.Row(0).Norm().ShouldBe(1, 1e-6);
        unit[1, 1].ShouldBe(1f);
    }
}

public class CosineTests
{
    [Fact]
    public void Same_direction_is_one_disjoint_is_zero_and_empty_is_zero()
    {
        var m = new CsrMatrix(4, 3, [0, 2, 4, 5, 5], [0, 1, 0, 1, 2], [1f, 2f, 2f, 4f, 7f]);

        Cosine.Similarity(m.Row(0), m.Row(1)).ShouldBe(1, 1e-12);
        Cosine.Similarity(m.Row(0), m.Row(2)).ShouldBe(0);
        Cosine.Similarity(m.Row(0), m.Row(3)).ShouldBe(0);
        Cosine.Similarity([1.0, 0], [1.0, 1]).ShouldBe(Math.Sqrt(0.5), 1e-12);
    }

    [Fact]
    public void Nearest_rows_come_best_first()
    {
        var (vectoriser, rows) = TfidfVectoriser.FitTransform(
            ["my card has not arrived", "how do I top up", "card arrived damaged", "top up failed"], new Tokeniser(TermKind.Words));
        var query = vectoriser.Transform("when will my card arrive").Row(0);

        var nearest = Cosine.Nearest(rows, query, 2);

        nearest[0].Row.ShouldBe(0);
        nearest[1].Row.ShouldBe(2);
        nearest[0].Similarity.ShouldBeGreaterThan(nearest[1].Similarity);
        Cosine.Similarities(rows, query)[1].ShouldBe(0);
    }
}
