using MathNet.Numerics.LinearAlgebra;
using SmartCrm.Analytics.Text;

namespace SmartCrm.Analytics.Tests.Text;

public class LatentSemanticSpaceTests
{
    private static CsrMatrix RandomSparse(int rows, int columns, double density, int seed)
    {
        var random = new Random(seed);
        var starts = new List<int> { 0 };
        var indices = new List<int>();
        var values = new List<float>();
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
                if (random.NextDouble() < density) { indices.Add(c); values.Add((float)random.NextDouble()); }
            starts.Add(indices.Count);
        }
        return new CsrMatrix(rows, columns, [.. starts], [.. indices], [.. values]);
    }

    private static Matrix<double> Dense(CsrMatrix m) => Matrix<double>.Build.Dense(m.Rows, m.Columns, (r, c) => m[r, c]);

    [Fact]
    public void Leading_singular_values_match_an_exact_svd()
    {
        var m = RandomSparse(60, 40, 0.2, 1);

        // With as many random directions as columns the sampled subspace is the whole row space: exact.
        var full = LatentSemanticSpace.Fit(m, 5, new LatentSemanticOptions { Seed = 3, Oversampling = 35 });
        // With the defaults on a flat random spectrum (the hardest case) the estimates are close, not exact.
        var randomised = LatentSemanticSpace.Fit(m, 5, new LatentSemanticOptions { Seed = 3 });

        var exact = Dense(m).Svd(computeVectors: false).S;
        for (var c = 0; c < 5; c++)
        {
            full.SingularValues[c].ShouldBe(exact[c], 1e-10 * exact[0]);
            randomised.SingularValues[c].ShouldBe(exact[c], 1e-3 * exact[0]);
        }
    }

    [Fact]
    public void Components_are_orthonormal_and_projections_keep_the_leading_energy()
    {
        var m = RandomSparse(50, 30, 0.3, 2);

        var space = LatentSemanticSpace.Fit(m, 4, new LatentSemanticOptions { Oversampling = 26 });

        for (var a = 0; a < 4; a++)
            for (var b = 0; b < 4; b++)
            {
                var dot = space.Component(a).Zip(space.Component(b), (p, q) => p * q).Sum();
                dot.ShouldBe(a == b ? 1 : 0, 1e-9);
            }
        // Σ over documents of the squared coordinate on dimension c equals σ_c².
        var projected = space.Project(m);
        for (var c = 0; c < 4; c++) projected.Sum(p => p[c] * p[c]).ShouldBe(space.SingularValues[c] * space.SingularValues[c], 1e-6);
    }

    [Fact]
    public void Documents_sharing_related_terms_come_closer_than_in_term_space()
    {
        // "card" and "debit" never share a document with each other's query, but co-occur with "lost" elsewhere.
        string[] docs = ["lost card", "lost debit", "card lost again", "debit lost again", "top up balance", "balance top up now", "top up"];
        var (vectoriser, x) = TfidfVectoriser.FitTransform(docs, new Tokeniser(TermKind.Words));
        var space = LatentSemanticSpace.Fit(x, 2);

        var card = vectoriser.Transform("card").Row(0);
        var debit = vectoriser.Transform("debit").Row(0);

        Cosine.Similarity(card, debit).ShouldBe(0);
        Cosine.Similarity(space.Project(card), space.Project(debit)).ShouldBeGreaterThan(0.9);
    }

    [Fact]
    public void Too_many_dimensions_are_refused()
    {
        var m = RandomSparse(5, 4, 0.5, 3);

        Should.Throw<ArgumentOutOfRangeException>(() => LatentSemanticSpace.Fit(m, 5)).Message.ShouldContain("1..4");
    }
}
