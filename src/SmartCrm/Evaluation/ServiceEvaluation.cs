using System.Diagnostics;
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
        var accuracy = predicted.Where((p, i) => p == test[i].Category).Count() / (double)test.Count;
        var classifySeconds = clock.Elapsed.TotalSeconds;

        clock.Restart();
        var intents = train.Select(e => e.Category).Distinct().Order(StringComparer.Ordinal).ToList();
        var articles = intents.Select((intent, i) => new IndexedArticle(i + 1, intent.Replace('_', ' '),
            string.Join("\n", train.Where(e => e.Category == intent).Select(e => e.Text).Distinct()))).ToList();
        var index = KnowledgeIndex.Build(articles);
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
        return Task.CompletedTask;
    }

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
