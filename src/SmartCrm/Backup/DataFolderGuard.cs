using Microsoft.Extensions.Options;
using SmartCrm.Storage;

namespace SmartCrm.Backup;

/// <summary>Holds <see cref="DataFolderLock"/> shared from start to stop.</summary>
internal sealed class DataFolderGuard(IOptions<StorageOptions> storage) : IHostedService, IDisposable
{
    private DataFolderLock? _held;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            _held = DataFolderLock.Shared(storage.Value.DataDirectory);
        }
        catch (IOException e)
        {
            throw new InvalidOperationException($"A restore is replacing {Path.GetFullPath(storage.Value.DataDirectory)}: start the server when it has finished.", e);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _held?.Dispose();
        _held = null;
    }
}
