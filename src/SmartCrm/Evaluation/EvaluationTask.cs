using System.Globalization;
using System.Text;

namespace SmartCrm.Evaluation;

/// <summary>
/// One `smartcrm eval TASK` task: reads a data set from ../shared/data and prints figures in the
/// form `eval TASK key=value ...`, the same keys and splits as ../shared/peers/peers.py.
/// </summary>
public interface IEvaluationTask
{
    string Name { get; }

    Task RunAsync(EvaluationContext context, CancellationToken cancellationToken);
}

public sealed class EvaluationContext(string dataDirectory, TextWriter output)
{
    public string DataDirectory { get; } = dataDirectory;

    /// <summary>Path of SmartCrm.Embeddings.dll when the sentence-embedding model is to be measured too (`--embeddings`).</summary>
    public string? Embeddings { get; init; }

    public string PathOf(params string[] parts) => Path.Combine([DataDirectory, .. parts]);

    /// <summary>Prints one line `eval TASK k=v ...`; doubles use the invariant culture.</summary>
    public void Report(string task, params (string Key, object? Value)[] figures)
    {
        var line = new StringBuilder("eval ").Append(task);
        foreach (var (key, value) in figures)
        {
            line.Append(' ').Append(key).Append('=').Append(value switch
            {
                double d => d.ToString("R", CultureInfo.InvariantCulture),
                float f => f.ToString("R", CultureInfo.InvariantCulture),
                IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
                _ => value?.ToString() ?? "",
            });
        }
        output.WriteLine(line.ToString());
        output.Flush();
    }
}

internal static class EvaluationTasks
{
    /// <summary>Every task in this assembly, found by type so each task lives in its own file.</summary>
    public static IReadOnlyList<IEvaluationTask> All { get; } = typeof(IEvaluationTask).Assembly.GetTypes()
        .Where(t => t is { IsAbstract: false, IsInterface: false } && typeof(IEvaluationTask).IsAssignableFrom(t))
        .Select(t => (IEvaluationTask)Activator.CreateInstance(t)!)
        .OrderBy(t => t.Name, StringComparer.Ordinal)
        .ToArray();
}
