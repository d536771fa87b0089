using System.CommandLine;

namespace SmartCrm.Evaluation;

internal static class EvaluationCommand
{
    public static Command Create()
    {
        var task = new Argument<string[]>("task")
        {
            Description = "Tasks to run: " + string.Join(", ", EvaluationTasks.All.Select(t => t.Name)) + " (all when none is named)",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var data = new Option<DirectoryInfo>("--data")
        {
            Description = "Folder with the evaluation data sets",
            DefaultValueFactory = _ => DataFolder.FindDefault(),
        };
        var embeddings = new Option<FileInfo?>("--embeddings")
        {
            Description = "SmartCrm.Embeddings.dll (built from src/SmartCrm.Embeddings): `service` also measures sentence embeddings and their combination with TF-IDF",
        };
        var command = new Command("eval", "Evaluate the analytics on the shared data sets, in the form of ../shared/peers/peers.py") { task, data, embeddings };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var names = parse.GetValue(task) ?? [];
            var directory = parse.GetValue(data)!;
            if (!directory.Exists)
            {
                await Console.Error.WriteLineAsync($"Data folder not found: {directory.FullName} (use --data)");
                return 2;
            }
            var chosen = names.Length == 0 ? EvaluationTasks.All : names.Select(n => EvaluationTasks.All.FirstOrDefault(t => t.Name == n)!).ToArray();
            var unknown = names.Where(n => EvaluationTasks.All.All(t => t.Name != n)).ToArray();
            if (unknown.Length > 0)
            {
                await Console.Error.WriteLineAsync($"Unknown task: {string.Join(", ", unknown)}. Known: {string.Join(", ", EvaluationTasks.All.Select(t => t.Name))}");
                return 2;
            }
            var context = new EvaluationContext(directory.FullName, Console.Out) { Embeddings = parse.GetValue(embeddings)?.FullName };
            foreach (var t in chosen) await t.RunAsync(context, cancellationToken);
            return 0;
        });
        return command;
    }
}
