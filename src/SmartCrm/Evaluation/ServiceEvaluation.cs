using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using SmartCrm.Analytics.Classification;
using SmartCrm.Analytics.Text;
using SmartCrm.Knowledge;
using SmartCrm.Records;
using SmartCrm.Triage;

namespace SmartCrm.Evaluation;

/// <summary>
/// `eval service`: banking77 as a service desk. The training questions are the company's closed tickets, the test questions new
/// messages. accuracy: the triage classifier's category (<see cref="TicketClassifier"/>, as triage trains it) against the intent.
/// For the FAQ assistant, one article per intent written from the training questions (each question a paragraph, the intent as
/// title) goes into the assistant's <see cref="KnowledgeIndex"/>; a test question is answered when its best passage reaches the
/// assistant's threshold, and the answer is right when the passage's article is the question's intent. answer_accuracy is over
/// the answered questions, handoff_rate the share handed to a person.
/// With `--embeddings`, the same is measured with the sentence-embedding model alone and combined with TF-IDF (lines
/// `eval service-embeddings`); since each way's similarities have their own scale, the assistant's ways are also compared at the
/// same hand-off rate as TF-IDF's at its threshold (answer_accuracy_at_same_handoff).
/// </summary>
internal sealed class ServiceEvaluation : IEvaluationTask
{
    public string Name => "service";

    public Task RunAsync(EvaluationContext context, CancellationToken cancellationToken)
    {
        var train = Read(context.PathOf("banking77", "train.csv"));
        var test = Read(context.PathOf("banking77", "test.csv"));
        var clock = Stopwatch.StartNew();
        var classifier = TicketClassifier.Train(train, cancellationToken);
        var predicted = classifier.Predict(test.Select(e => e.Text).ToList());
        var accuracy = Accuracy(predicted, test);
        var classifySeconds = clock.Elapsed.TotalSeconds;

        clock.Restart();
        var intents = train.Select(e => e.Category).Distinct().Order(StringComparer.Ordinal).ToList();
        var articles = intents.Select((intent, i) => new IndexedArticle(i + 1, intent.Replace('_', ' '),
            string.Join("\n", train.Where(e => e.Category == intent).Select(e => e.Text).Distinct()))).ToList();
        var index = KnowledgeIndex.Build(articles, cancellationToken: cancellationToken);
        var matches = test.Select(e => index.Best(e.Text)!).ToList();
        var askSeconds = clock.Elapsed.TotalSeconds;

        var (answerAccuracy, handoffRate) = Answers(test, matches, intents, AssistantOptions.DefaultThreshold);
        context.Report(Name, ("accuracy", Math.Round(accuracy, 4)), ("answer_accuracy", Math.Round(answerAccuracy, 4)), ("handoff_rate", Math.Round(handoffRate, 4)),
            ("threshold", AssistantOptions.DefaultThreshold), ("dataset", "banking77"), ("articles", articles.Count), ("passages", index.Passages),
            ("classify_seconds", Math.Round(classifySeconds, 2)), ("assistant_seconds", Math.Round(askSeconds, 2)));
        // The trade-off the threshold is chosen on: more hand-offs, fewer wrong answers.
        foreach (var threshold in new[] { 0.0, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5 })
        {
            var (a, h) = Answers(test, matches, intents, threshold);
            context.Report(Name + "-threshold", ("threshold", threshold), ("answer_accuracy", Math.Round(a, 4)), ("handoff_rate", Math.Round(h, 4)));
        }
        if (context.Embeddings is { } path) Embeddings(context, SentenceEmbeddings.Load(path), train, test, articles, intents, handoffRate, cancellationToken);
        return Task.CompletedTask;
    }

    private void Embeddings(EvaluationContext context, SentenceEmbeddings model, List<LabelledText> train, List<LabelledText> test,
        List<IndexedArticle> articles, List<string> intents, double tfidfHandoff, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        // The passages are the training questions themselves (KnowledgeIndex encodes a paragraph without its title).
        var cached = Cached(model, train.Select(e => e.Text.Trim()).Concat(train.Select(e => e.Text)).Concat(test.Select(e => e.Text)), cancellationToken);
        var encodeSeconds = clock.Elapsed.TotalSeconds;
        var testTexts = test.Select(e => e.Text).ToList();
        var testVectors = cached.Encode(testTexts, cancellationToken);

        // Category: the embedding alone under the same linear SVM, then beside the TF-IDF features at a few weights.
        clock.Restart();
        var classes = new ClassLabels<string>(train.Select(e => e.Category).ToList(), StringComparer.Ordinal);
        var alone = LinearSvm.Fit(TicketClassifier.Dense(cached.Encode(train.Select(e => e.Text).ToList(), cancellationToken)), classes.Encode(train.Select(e => e.Category).ToList()),
            new LinearSvmOptions { C = 1 }, cancellationToken);
        var aloneAccuracy = Accuracy(alone.Predict(TicketClassifier.Dense(testVectors)).Select(p => classes.Names[p]).ToList(), test);
        context.Report(Name + "-embeddings", ("task", "category"), ("way", "embeddings"), ("model", model.Name), ("accuracy", Math.Round(aloneAccuracy, 4)),
            ("seconds", Math.Round(clock.Elapsed.TotalSeconds, 2)), ("encode_seconds", Math.Round(encodeSeconds, 2)));
        foreach (var weight in new[] { 0.5f, 1f, 2f })
        {
            clock.Restart();
            var combined = TicketClassifier.Train(train, cached, weight, cancellationToken);
            var accuracy = Accuracy(combined.Predict(testTexts), test);
            context.Report(Name + "-embeddings", ("task", "category"), ("way", "tfidf+embeddings"), ("weight", weight), ("accuracy", Math.Round(accuracy, 4)),
                ("seconds", Math.Round(clock.Elapsed.TotalSeconds, 2)));
        }

        // Assistant: the passages' and questions' vectors, blended with the TF-IDF cosine at several weights (1 = embeddings alone).
        var index = KnowledgeIndex.Build(articles, cached, 0, cancellationToken);
        var text = new double[index.Passages];
        double[] weights = [0, 0.25, 0.5, 0.75, 1];
        var best = new (int Passage, double Similarity)[weights.Length][];
        for (var w = 0; w < weights.Length; w++) best[w] = new (int, double)[test.Count];
        for (var q = 0; q < test.Count; q++)
        {
            index.TextSimilarities(test[q].Text, text);
            var embedding = new double[index.Passages];
            for (var p = 0; p < embedding.Length; p++) embedding[p] = index.EmbeddingSimilarity(p, testVectors[q]);
            for (var w = 0; w < weights.Length; w++)
            {
                var top = 0;
                var topScore = double.NegativeInfinity;
                for (var p = 0; p < text.Length; p++)
                {
                    var score = (1 - weights[w]) * text[p] + weights[w] * embedding[p];
                    if (score > topScore) { topScore = score; top = p; }
                }
                best[w][q] = (top, topScore);
            }
        }
        for (var w = 0; w < weights.Length; w++)
        {
            var matches = best[w].Select(b => index.Match(b.Passage, b.Similarity)).ToList();
            var (a, h) = Answers(test, matches, intents, AssistantOptions.DefaultThreshold);
            // The threshold that hands off the same share as TF-IDF does at its own: the fair comparison of the ways.
            var sameHandoff = matches.Select(m => m.Similarity).Order().ElementAt(Math.Min(test.Count - 1, (int)Math.Round(tfidfHandoff * test.Count)));
            var (fair, fairHandoff) = Answers(test, matches, intents, sameHandoff);
            var (all, _) = Answers(test, matches, intents, double.NegativeInfinity);
            var (chosen, chosenHandoff) = Answers(test, matches, intents, weights[w] == 0 ? AssistantOptions.DefaultThreshold : AssistantOptions.DefaultEmbeddingThreshold);
            context.Report(Name + "-embeddings", ("task", "assistant"), ("way", weights[w] switch { 0 => "tfidf", 1 => "embeddings", _ => "blend" }), ("weight", weights[w]),
                ("answer_accuracy", Math.Round(a, 4)), ("handoff_rate", Math.Round(h, 4)), ("threshold", AssistantOptions.DefaultThreshold),
                ("answer_accuracy_at_same_handoff", Math.Round(fair, 4)), ("same_handoff_threshold", Math.Round(sameHandoff, 4)), ("same_handoff_rate", Math.Round(fairHandoff, 4)),
                ("top1_accuracy", Math.Round(all, 4)), ("answer_accuracy_at_option_threshold", Math.Round(chosen, 4)), ("handoff_rate_at_option_threshold", Math.Round(chosenHandoff, 4)));
        }
    }

    /// <summary>
    /// The model with its vectors kept in a file under the temporary folder (one per model and text set): banking77 takes minutes
    /// to encode on two cores, and the figures are re-run more often than the texts change.
    /// </summary>
    private static SentenceEmbeddings Cached(SentenceEmbeddings model, IEnumerable<string> texts, CancellationToken cancellationToken)
    {
        var all = texts.Distinct(StringComparer.Ordinal).ToList();
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(model.Name + "\n" + string.Join("\n", all))))[..16];
        var file = Path.Combine(Path.GetTempPath(), $"smartcrm-embeddings-{key}.bin");
        var vectors = new Dictionary<string, float[]>(StringComparer.Ordinal);
        if (File.Exists(file))
        {
            using var reader = new BinaryReader(File.OpenRead(file));
            while (reader.BaseStream.Position < reader.BaseStream.Length)
            {
                var text = reader.ReadString();
                var vector = new float[reader.ReadInt32()];
                for (var d = 0; d < vector.Length; d++) vector[d] = reader.ReadSingle();
                vectors[text] = vector;
            }
        }
        // Appended a chunk at a time, so an interrupted run keeps what it encoded.
        var missing = all.Where(t => !vectors.ContainsKey(t)).ToList();
        using (var writer = new BinaryWriter(new FileStream(file, FileMode.Append)))
        {
            for (var start = 0; start < missing.Count; start += 256)
            {
                var chunk = missing.GetRange(start, Math.Min(256, missing.Count - start));
                var encoded = model.Encode(chunk, cancellationToken);
                for (var i = 0; i < chunk.Count; i++)
                {
                    vectors[chunk[i]] = encoded[i];
                    writer.Write(chunk[i]);
                    writer.Write(encoded[i].Length);
                    foreach (var v in encoded[i]) writer.Write(v);
                }
                writer.Flush();
            }
        }
        return new SentenceEmbeddings((batch, token) =>
        {
            var missing = batch.Where(t => !vectors.ContainsKey(t)).Distinct(StringComparer.Ordinal).ToArray();
            var encoded = model.Encode(missing, token);
            for (var i = 0; i < missing.Length; i++) vectors[missing[i]] = encoded[i];
            return batch.Select(t => vectors[t]).ToArray();
        }, model.Name);
    }

    private static double Accuracy(IReadOnlyList<string> predicted, List<LabelledText> test) =>
        predicted.Where((p, i) => p == test[i].Category).Count() / (double)test.Count;

    private static (double AnswerAccuracy, double HandoffRate) Answers(List<LabelledText> test, List<PassageMatch> matches, List<string> intents, double threshold)
    {
        int answered = 0, right = 0;
        for (var i = 0; i < test.Count; i++)
        {
            if (matches[i].Similarity < threshold) continue;
            answered++;
            if (intents[(int)matches[i].ArticleId - 1] == test[i].Category) right++;
        }
        return (answered == 0 ? 0 : right / (double)answered, (test.Count - answered) / (double)test.Count);
    }

    private static List<LabelledText> Read(string path)
    {
        var (header, rows) = CsvRows.Read(path);
        var text = Array.IndexOf(header, "text");
        var category = Array.IndexOf(header, "category");
        return rows.Select(r => new LabelledText(r[text], r[category])).ToList();
    }
}
