using SmartCrm.Storage;

namespace SmartCrm.Operations;

/// <summary>
/// A job that runs every <see cref="Period"/>, on one node at a time (under its <see cref="JobLease"/>); a failed run is
/// logged and the next one tries again.
/// </summary>
public abstract class ScheduledJob(DatabaseConnections connections, TimeProvider clock, ILogger logger) : BackgroundService
{
    protected TimeProvider Clock { get; } = clock;

    protected ILogger Logger { get; } = logger;

    /// <summary>The job's name, which is also its lease.</summary>
    protected abstract string Name { get; }

    protected abstract TimeSpan Period { get; }

    /// <summary>False leaves the job idle (switched off by configuration).</summary>
    protected virtual bool Enabled => true;

    /// <summary>One run.</summary>
    protected abstract Task RunOnceAsync(CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled) return;
        using var timer = new PeriodicTimer(Period, Clock);
        do
        {
            try
            {
                await using var lease = await JobLease.TryAcquireAsync(connections, Name, stoppingToken);
                if (lease is not null) await RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                Logger.LogError(e, "Scheduled job {Job} failed", Name);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
