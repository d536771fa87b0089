using System.Globalization;
using SmartCrm.Analytics.Tests.Evaluation;
using SmartCrm.Evaluation;
using Xunit.Abstractions;

namespace SmartCrm.Tests.Evaluation;

/// <summary>`smartcrm eval service` on banking77 (skipped outside CI with directions when the data set is missing).</summary>
public sealed class ServiceEvaluationTests(ITestOutputHelper output)
{
    [DataFact("banking77/train.csv", "banking77/test.csv")]
    public async Task Banking77_as_a_service_desk_reaches_scikit_learns_accuracy_and_the_assistant_answers_most_questions_right()
    {
        var printed = new StringWriter(CultureInfo.InvariantCulture);
        var folder = Path.GetDirectoryName(Path.GetDirectoryName(DataSets.File("banking77/train.csv")))!;

        await new ServiceEvaluation().RunAsync(new EvaluationContext(folder, printed), CancellationToken.None);

        output.WriteLine(printed.ToString());
        var line = printed.ToString().Split('\n').First(l => l.StartsWith("eval service ", StringComparison.Ordinal));
        line.ShouldStartWith("eval service accuracy=");
        var figures = line.Split(' ').Skip(2).Select(f => f.Split('=')).ToDictionary(f => f[0], f => f[1]);
        double Figure(string key) => double.Parse(figures[key], CultureInfo.InvariantCulture);
        Figure("accuracy").ShouldBeGreaterThanOrEqualTo(0.906, "scikit-learn's TF-IDF + LinearSVC on the same split");
        Figure("answer_accuracy").ShouldBeGreaterThanOrEqualTo(0.85);
        Figure("handoff_rate").ShouldBeLessThan(0.3);
    }
}
