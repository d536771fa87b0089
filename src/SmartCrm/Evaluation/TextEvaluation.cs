using System.Diagnostics;
using SmartCrm.Analytics.Classification;
using SmartCrm.Analytics.Text;
using SmartCrm.Records;

namespace SmartCrm.Evaluation;

/// <summary>
/// `eval text`: banking77 customer questions, 77 intents; accuracy on the test set of a TF-IDF + linear classifier
/// trained on the training set, with the features of peers.py (word 1–2-grams, char_wb 2–5-grams, sublinear tf)
/// and combinations of them. Seconds cover vectorising, training and predicting, as in peers.py, after an untimed
/// warm-up on 600 questions.
/// </summary>
internal sealed class TextEvaluation : IEvaluationTask
{
    public string Name => "text";

    public Task RunAsync(EvaluationContext context, CancellationToken cancellationToken)
    {
        var (trainText, trainCategory) = Read(context.PathOf("banking77", "train.csv"));
        var (testText, testCategory) = Read(context.PathOf("banking77", "test.csv"));
        var classes = new ClassLabels<string>(trainCategory, StringComparer.Ordinal);
        var trainLabels = classes.Encode(trainCategory);
        var testLabels = classes.Encode(testCategory);

        var words = new Tokeniser(TermKind.Words, 1, 2);
        var characters = new Tokeniser(TermKind.CharactersWithinWords, 2, 5);
        var cores = Environment.ProcessorCount;
        var runs = new (string Features, Tokeniser[] Tokenisers, string Model, int Threads, Func<CsrMatrix, int[], ITextClassifier> Fit)[]
        {
            ("word1-2", [words], "LinearSVC(C=1)", 1, (x, y) => LinearSvm.Fit(x, y, cancellationToken: cancellationToken)),
            ("char2-5", [characters], "LinearSVC(C=1)", 1, (x, y) => LinearSvm.Fit(x, y, cancellationToken: cancellationToken)),
            ("char2-5", [characters], "LinearSVC(C=1)", cores, (x, y) => LinearSvm.Fit(x, y, new LinearSvmOptions { Parallelism = cores }, cancellationToken)),
            ("word1-2+char2-5", [words, characters], "LinearSVC(C=0.5)", 1, (x, y) => LinearSvm.Fit(x, y, new LinearSvmOptions { C = 0.5 }, cancellationToken)),
            ("word1-2+char2-5", [words, characters], "LogisticRegression(C=10,multinomial)", 1,
                (x, y) => SparseLogisticRegression.Fit(x, y, new SparseLogisticRegressionOptions { C = 10 }, cancellationToken)),
        };
        foreach (var (features, tokenisers, name, threads, fit) in runs)
        {
            // Untimed pass on a slice so the JIT has compiled the code paths (scikit-learn's are compiled ahead of time).
            var slice = trainText.Take(600).ToList();
            var warmUp = tokenisers.Select(t => TfidfVectoriser.FitTransform(slice, t).Matrix).ToArray();
            fit(warmUp.Length == 1 ? warmUp[0] : CsrMatrix.ConcatenateColumns(warmUp), trainLabels.Take(600).ToArray());

            var clock = Stopwatch.StartNew();
            var vectorisers = new List<TfidfVectoriser>();
            var blocks = new List<CsrMatrix>();
            foreach (var tokeniser in tokenisers)
            {
                var (vectoriser, matrix) = TfidfVectoriser.FitTransform(trainText, tokeniser);
                vectorisers.Add(vectoriser);
                blocks.Add(matrix);
            }
            // Word and character blocks are each unit length, side by side (scipy's hstack of two TfidfVectorizers).
            var train = blocks.Count == 1 ? blocks[0] : CsrMatrix.ConcatenateColumns(blocks);
            var model = fit(train, trainLabels);
            var testBlocks = vectorisers.Select(v => v.Transform(testText)).ToArray();
            var test = testBlocks.Length == 1 ? testBlocks[0] : CsrMatrix.ConcatenateColumns(testBlocks);
            var predicted = model.Predict(test);
            var seconds = clock.Elapsed.TotalSeconds;
            var accuracy = predicted.Where((p, i) => p == testLabels[i]).Count() / (double)testLabels.Length;
            context.Report(Name, ("dataset", "banking77"), ("features", features), ("model", name),
                ("accuracy", Math.Round(accuracy, 4)), ("seconds", Math.Round(seconds, 3)), ("terms", train.Columns), ("threads", threads));
        }
        return Task.CompletedTask;
    }

    private static (List<string> Text, List<string> Category) Read(string path)
    {
        var (header, rows) = CsvRows.Read(path);
        var text = Array.IndexOf(header, "text");
        var category = Array.IndexOf(header, "category");
        return (rows.Select(r => r[text]).ToList(), rows.Select(r => r[category]).ToList());
    }
}
