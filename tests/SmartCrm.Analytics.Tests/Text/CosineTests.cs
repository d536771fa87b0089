using SmartCrm.Analytics.Text;

namespace SmartCrm.Analytics.Tests.Text;

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
