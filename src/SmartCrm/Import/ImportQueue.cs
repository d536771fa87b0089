using SmartCrm.Storage;

namespace SmartCrm.Import;

/// <summary>
/// Runs console imports in the background, so the wizard can show a progress bar while the file goes in. The run's row in the
/// database is the shared state: the page polls it.
/// </summary>
public sealed class ImportQueue(IServiceScopeFactory scopes, ILogger<ImportQueue> logger)
{
    /// <summary>Starts the import; answers as soon as its run exists (or with the reason the file cannot be imported).</summary>
    public async Task<ImportRun> StartAsync(ImportRequest request, string actor, string? deleteAfter)
    {
        var started = new TaskCompletionSource<ImportRun>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = Task.Run(async () =>
        {
            try
            {
                using var scope = scopes.CreateScope();
                scope.ServiceProvider.GetRequiredService<Actor>().Name = actor;
                var report = await scope.ServiceProvider.GetRequiredService<Importer>().RunAsync(request, run => started.TrySetResult(run), CancellationToken.None);
                started.TrySetResult(report.Run);
            }
            catch (Exception e)
            {
                if (!started.TrySetException(e)) logger.LogError(e, "Import of {File} failed", request.FileName);
            }
            finally
            {
                if (deleteAfter is not null) TryDelete(deleteAfter);
            }
        });
        return await started.Task;
    }

    internal static void TryDelete(string path) => ImportUploads.Delete(path);
}
