using SmartCrm.Analytics.Text;

namespace SmartCrm.Analytics.Tests.Text;

public class TfidfVectoriserTests
{
    private static readonly string[] Corpus = ["The cat sat on the mat.", "The dog sat on the log, the dog!", "Cats and dogs"];

    [Fact]
    public void Word_weights_match_scikit_learn_on_a_three_document_corpus()
    {
        var (vectoriser, matrix) = TfidfVectoriser.FitTransform(Corpus, new Tokeniser(TermKind.Words));

        // TfidfVectorizer(sublinear_tf=True).fit_transform(Corpus), scikit-learn 1.2.
        vectoriser.Terms.ShouldBe(["and", "cat", "cats", "dog", "dogs", "log", "mat", "on", "sat", "the"]);
        vectoriser.Idf.ToArray().ShouldBe([1.6931471805599454, 1.6931471805599454, 1.6931471805599454, 1.6931471805599454, 1.6931471805599454,
            1.6931471805599454, 1.6931471805599454, 1.2876820724517808, 1.2876820724517808, 1.2876820724517808], 1e-12);
        double[][] expected =
        [
            [0.0, 0.45572754654930037, 0.0, 0.0, 0.0, 0.0, 0.45572754654930037, 0.34659254573479875, 0.34659254573479875, 0.5868321916139685],
            [0.0, 0.0, 0.0, 0.6153475057545023, 0.0, 0.3634341496236606, 0.0, 0.27640103846871505, 0.27640103846871505, 0.5800586159310722],
            [0.5773502691896257, 0.0, 0.5773502691896257, 0.0, 0.5773502691896257, 0.0, 0.0, 0.0, 0.0, 0.0],
        ];
        for (var r = 0; r < 3; r++)
            for (var c = 0; c < 10; c++) ((double)matrix[r, c]).ShouldBe(expected[r][c], 1e-6);
    }

    [Fact]
    public void Character_weights_match_scikit_learn()
    {
        var (vectoriser, matrix) = TfidfVectoriser.FitTransform(Corpus, new Tokeniser(TermKind.CharactersWithinWords, 2, 3));

        vectoriser.Terms.Count.ShouldBe(64);
        ((double)matrix[0, vectoriser.ColumnOf(" ca")]).ShouldBe(0.13448817801640958, 1e-6);
        ((double)matrix[2, vectoriser.ColumnOf("ts ")]).ShouldBe(0.21606200778630996, 1e-6);
        ((double)matrix[1, vectoriser.ColumnOf("og")]).ShouldBe(0.23103813543359986, 1e-6);
    }

    [Fact]
    public void Transform_ignores_unknown_terms_and_gives_unit_rows()
    {
        var (vectoriser, fitted) = TfidfVectoriser.FitTransform(Corpus, new Tokeniser(TermKind.Words));

        var again = vectoriser.Transform(Corpus);
        var unknown = vectoriser.Transform("zebra crossing");
        var mixed = vectoriser.Transform("zebra cat");

        again.Values.ToArray().ShouldBe(fitted.Values.ToArray());
        again.Indices.ToArray().ShouldBe(fitted.Indices.ToArray());
        unknown.NonZeros.ShouldBe(0);
        mixed.Row(0).Indices.ToArray().ShouldBe([vectoriser.ColumnOf("cat")]);
        mixed.Row(0).Values[0].ShouldBe(1f);
        for (var r = 0; r < fitted.Rows; r++) fitted.Row(r).Norm().ShouldBe(1, 1e-6);
    }

    [Fact]
    public void Raw_counts_and_plain_idf_can_be_chosen()
    {
        var options = new TfidfOptions { SublinearTf = false, SmoothIdf = false, Normalise = false };

        var (vectoriser, matrix) = TfidfVectoriser.FitTransform(Corpus, new Tokeniser(TermKind.Words), options);

        // "the" appears 3 times in document 1 and in 2 of 3 documents: 3 · (ln(3/2) + 1).
        ((double)matrix[1, vectoriser.ColumnOf("the")]).ShouldBe(3 * (Math.Log(1.5) + 1), 1e-5);
    }

    [Fact]
    public void Document_frequency_limits_and_term_cap_shrink_the_vocabulary()
    {
        var (rare, _) = TfidfVectoriser.FitTransform(Corpus, new Tokeniser(TermKind.Words), new TfidfOptions { MinDocumentFrequency = 2 });
        var (common, _) = TfidfVectoriser.FitTransform(Corpus, new Tokeniser(TermKind.Words), new TfidfOptions { MaxDocumentShare = 0.5 });
        var (capped, _) = TfidfVectoriser.FitTransform(Corpus, new Tokeniser(TermKind.Words), new TfidfOptions { MaxTerms = 2 });

        rare.Terms.ShouldBe(["on", "sat", "the"]);
        common.Terms.ShouldNotContain("the");
        capped.Terms.ShouldBe(["dog", "the"]);
    }

    [Fact]
    public void Empty_or_wordless_corpora_are_refused()
    {
        Should.Throw<ArgumentException>(() => TfidfVectoriser.FitTransform([], new Tokeniser(TermKind.Words))).Message.ShouldContain("no documents");
        Should.Throw<ArgumentException>(() => TfidfVectoriser.FitTransform(["a", "!"], new Tokeniser(TermKind.Words))).Message.ShouldContain("no terms left");
        Should.Throw<ArgumentException>(() => TfidfVectoriser.FitTransform(["ok", null!], new Tokeniser(TermKind.Words))).Message.ShouldContain("document 1 is null");
    }
}
