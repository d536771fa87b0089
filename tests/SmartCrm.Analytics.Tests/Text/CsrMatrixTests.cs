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
