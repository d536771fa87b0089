using System.Diagnostics;
using SmartCrm.Analytics.Classification;
using SmartCrm.Analytics.Text;

namespace SmartCrm.Evaluation;

/// <summary>
/// `eval text`: banking77 customer questions, 77 intents; accuracy on the test set of a TF-IDF + linear classifier
/// trained on the training set, with the features of peers.py (word 1–2-grams, char_wb 2–5-grams, sublinear tf)
/// and combinations of them. Seconds cover vectorising, training and predicting, as in peers.py.
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
        var runs = new (string Features, Tokeniser[] Tokenisers, float[] Weights, LinearSvmOptions Svm)[]
        {
            ("word1-2", [words], [1f], new LinearSvmOptions()),
            ("char2-5", [characters], [1f], new LinearSvmOptions()),
            ("word1-2+char2-5", [words, characters], [1f, 1f], new LinearSvmOptions()),
            ("word1-2+char2-5", [words, characters], [1f, 1f], new LinearSvmOptions { C = 0.5 }),
            ("word1-2+char2-5", [words, characters], [1f, 1f], new LinearSvmOptions { C = 2 }),
            ("word1-2+char1-6", [words, new Tokeniser(TermKind.CharactersWithinWords, 1, 6)], [1f, 1f], new LinearSvmOptions()),
        };
        foreach (var (features, tokenisers, weights, svm) in runs)
        {
            var clock = Stopwatch.StartNew();
            var vectorisers = new List<TfidfVectoriser>();
            var blocks = new List<CsrMatrix>();
            foreach (var tokeniser in tokenisers)
            {
                var (vectoriser, matrix) = TfidfVectoriser.FitTransform(trainText, tokeniser);
                vectorisers.Add(vectoriser);
                blocks.Add(matrix);
            }
            var train = blocks.Count == 1 ? blocks[0] : CsrMatrix.ConcatenateColumns(blocks, weights);
            var model = LinearSvm.Fit(train, trainLabels, svm, cancellationToken);
            var testBlocks = vectorisers.Select(v => v.Transform(testText)).ToArray();
            var test = testBlocks.Length == 1 ? testBlocks[0] : CsrMatrix.ConcatenateColumns(testBlocks, weights);
            var predicted = model.Predict(test);
            var seconds = clock.Elapsed.TotalSeconds;
            var accuracy = predicted.Where((p, i) => p == testLabels[i]).Count() / (double)testLabels.Length;
            context.Report(Name, ("dataset", "banking77"), ("features", features), ("model", $"LinearSVC(C={svm.C})"),
                ("accuracy", Math.Round(accuracy, 4)), ("seconds", Math.Round(seconds, 3)), ("terms", train.Columns));
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
