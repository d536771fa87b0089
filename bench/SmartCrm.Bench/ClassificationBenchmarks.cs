using BenchmarkDotNet.Attributes;
using SmartCrm.Analytics.Classification;
using SmartCrm.Analytics.Text;

namespace SmartCrm.Bench;

/// <summary>
/// Hot paths of classification and text: tree growth, histogram boosting, TF-IDF of character n-grams and the
/// one-vs-rest SVM solver, on generated data shaped like telco-churn and banking77.
/// `dotnet run -c Release --project bench/SmartCrm.Bench -- --filter '*ClassificationBenchmarks*'`
/// </summary>
[MemoryDiagnoser]
public class ClassificationBenchmarks
{
    private FeatureMatrix _churn = null!;
    private int[] _churned = [];
    private List<string> _questions = [];
    private int[] _intents = [];
    private CsrMatrix _tfidf = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        const int rows = 5600, columns = 30;
        var values = new double[rows * columns];
        _churned = new int[rows];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++) values[r * columns + c] = c < 4 ? Math.Round(random.NextDouble() * 100, 2) : random.Next(2);
            var risk = values[r * columns] / 100 - values[r * columns + 1] / 200 + values[r * columns + 5] * 0.3 + random.NextDouble() * 0.5;
            _churned[r] = risk > 0.6 ? 1 : 0;
        }
        _churn = new FeatureMatrix(values, rows, columns);

        string[] words = ["card", "arrive", "pin", "blocked", "top", "up", "refund", "transfer", "fee", "exchange", "rate", "cash", "atm", "lost", "stolen", "verify", "identity", "balance", "pending", "declined"];
        var labels = new List<int>();
        for (var i = 0; i < 10_000; i++)
        {
            var intent = random.Next(77);
            var length = 5 + random.Next(10);
            _questions.Add(string.Join(' ', Enumerable.Range(0, length).Select(_ => words[(intent + random.Next(6)) % words.Length] + (random.Next(4) == 0 ? "s" : ""))));
            labels.Add(intent);
        }
        _intents = [.. labels];
        _tfidf = TfidfVectoriser.FitTransform(_questions, new Tokeniser(TermKind.CharactersWithinWords, 2, 5)).Matrix;
    }

    [Benchmark]
    public DecisionTree TreeDepth6() => DecisionTree.Fit(_churn, _churned, new DecisionTreeOptions { MaxDepth = 6 });

    [Benchmark]
    public GradientBoostedTrees Boosting100() => GradientBoostedTrees.Fit(_churn, _churned);

    [Benchmark]
    public CsrMatrix TfidfCharacters() => TfidfVectoriser.FitTransform(_questions, new Tokeniser(TermKind.CharactersWithinWords, 2, 5)).Matrix;

    [Benchmark]
    public LinearSvm LinearSvm77Classes() => LinearSvm.Fit(_tfidf, _intents);
}
