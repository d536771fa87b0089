using SmartCrm.Analytics.Text;
using SmartCrm.Knowledge;

namespace SmartCrm.Tests.Knowledge;

public sealed class KnowledgeIndexTests
{
    private static readonly string[] Words =
        ["reset", "password", "thermostat", "heater", "refund", "order", "delivery", "late", "filter", "replace", "boiler", "pressure", "app",
         "account", "invoice", "water", "leak", "sensor", "battery", "warranty", "repair", "install", "temperature", "schedule", "error", "code"];

    [Fact]
    public void The_inverted_index_gives_the_same_similarities_and_answers_as_a_full_pass_over_every_passage()
    {
        var random = new Random(42);
        string Sentence() => string.Join(' ', Enumerable.Range(0, 4 + random.Next(8)).Select(_ => Words[random.Next(Words.Length)]));
        var articles = Enumerable.Range(1, 60).Select(i => new IndexedArticle(i, $"Article {Sentence()}", string.Join('\n', Enumerable.Range(0, 1 + random.Next(3)).Select(_ => Sentence())))).ToList();
        var index = KnowledgeIndex.Build(articles);
        // The search it replaced: the passages' TF-IDF rows and a cosine against each row in turn.
        var passages = articles.SelectMany(a => a.Body.Split('\n').Select(p => a.Title + "\n" + p)).ToList();
        var (words, wordRows) = TfidfVectoriser.FitTransform(passages, new Tokeniser(TermKind.Words, 1, 2));
        var (characters, characterRows) = TfidfVectoriser.FitTransform(passages, new Tokeniser(TermKind.CharactersWithinWords, 2, 5));
        var rows = CsrMatrix.ConcatenateColumns([wordRows, characterRows]);
        index.Passages.ShouldBe(passages.Count);

        var similarities = new double[index.Passages];
        for (var q = 0; q < 40; q++)
        {
            var question = q % 10 == 0 ? "nothing of the kind" : Sentence();
            var expected = Cosine.Similarities(rows, CsrMatrix.ConcatenateColumns([words.Transform(question), characters.Transform(question)]).Row(0));
            index.TextSimilarities(question, similarities);
            similarities.ShouldBe(expected, "to the last bit: same products added in the same order");
            var best = 0;
            for (var i = 1; i < expected.Length; i++) if (expected[i] > expected[best]) best = i;
            var answer = index.Best(question)!;
            answer.Passage.ShouldBe(passages[best][(passages[best].IndexOf('\n') + 1)..]);
            answer.Similarity.ShouldBe(Math.Round(expected[best], 4));
        }
    }

    private static readonly IndexedArticle[] Help =
    [
        new(1, "Refunds", "We reimburse purchases within thirty days."),
        new(2, "Deliveries", "I want to know when my parcel arrives: tracking shows it."),
        new(3, "Passwords", "Change your passcode under settings."),
    ];

    [Fact]
    public void With_sentence_embeddings_a_question_in_other_words_finds_the_passage_of_the_same_meaning()
    {
        const string question = "I want my money back";
        KnowledgeIndex.Build(Help).Best(question)!.ArticleId.ShouldBe(2, "TF-IDF alone goes by the shared words \"I want\"");

        var index = KnowledgeIndex.Build(Help, ConceptEncoder.Model, embeddingWeight: 0.5);

        index.HasEmbeddings.ShouldBeTrue();
        index.Best(question)!.ArticleId.ShouldBe(1);
        index.Nearest("my package never came", 3).Select(m => m.ArticleId).First().ShouldBe(2);
    }

    [Fact]
    public void The_blend_is_the_weighted_sum_of_the_two_cosines()
    {
        const string question = "reimburse my parcel";
        var index = KnowledgeIndex.Build(Help, ConceptEncoder.Model, embeddingWeight: 0.25);
        var text = new double[index.Passages];
        index.TextSimilarities(question, text);
        var blended = new double[index.Passages];

        index.Similarities(question, ConceptEncoder.Model.Encode(question), blended);

        var vector = ConceptEncoder.Model.Encode(question);
        for (var p = 0; p < index.Passages; p++)
        {
            index.EmbeddingSimilarity(p, vector).ShouldBeInRange(0, 1.0001);
            blended[p].ShouldBe(0.75 * text[p] + 0.25 * index.EmbeddingSimilarity(p, vector), 1e-12);
        }
    }

    [Fact]
    public void The_model_assembly_is_loaded_only_from_a_path_that_exists()
    {
        var missing = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "SmartCrm.Embeddings.dll");

        Should.Throw<FileNotFoundException>(() => SentenceEmbeddings.Load(missing)).Message.ShouldContain("src/SmartCrm.Embeddings");
    }

    [Fact]
    public void Encoded_vectors_have_unit_length_and_come_back_in_order_across_batches()
    {
        var texts = Enumerable.Range(0, 150).Select(i => i % 2 == 0 ? "refund refund" : "broken parcel").ToList();

        var vectors = ConceptEncoder.Model.Encode(texts);

        vectors.Length.ShouldBe(150);
        vectors.ShouldAllBe(v => Math.Abs(v.Sum(x => x * x) - 1) < 1e-5);
        vectors[148][0].ShouldBeGreaterThan(0.9f);
        vectors[149][0].ShouldBe(0f);
    }
}
