using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using SmartCrm.Operations;

namespace SmartCrm.Telemetry;

public enum RetentionMode { Drop, Downsample }

public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary>Days raw readings are kept; 0 keeps them for ever.</summary>
    [Range(0, 36_500)] public int RetentionDays { get; set; }

    /// <summary>What happens to older readings: dropped, or numeric ones folded into averages (text and JSON readings stay).</summary>
    public RetentionMode RetentionMode { get; set; } = RetentionMode.Downsample;

    /// <summary>Interval of the averages that replace old numeric readings.</summary>
    [Range(1, 10_080)] public int DownsampleMinutes { get; set; } = 60;
}

/// <summary>Applies the telemetry retention policy every hour, on one node at a time.</summary>
public sealed class TelemetryRetentionJob(TelemetryStore store, IOptions<TelemetryOptions> options, TimeProvider clock, ILogger<TelemetryRetentionJob> logger)
    : BackgroundService
{
    /// <summary>Days before the cut-off that each run folds again (a node that was down for a while catches up).</summary>
    public const int CatchUpDays = 7;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.RetentionDays == 0) return;
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1), clock);
        do
        {
            try
            {
                await using var lease = await JobLease.TryAcquireAsync(store, "telemetry-retention", stoppingToken);
                if (lease is not null) await ApplyAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                logger.LogError(e, "Telemetry retention failed");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One pass of the policy; returns the rows (or partitions) removed or folded.</summary>
    public async Task<long> ApplyAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.RetentionDays == 0) return 0;
        var cutoff = clock.GetUtcNow().AddDays(-settings.RetentionDays).ToUnixTimeMilliseconds();
        var changed = settings.RetentionMode == RetentionMode.Drop
            ? await store.DropBeforeAsync(cutoff, cancellationToken)
            : await store.DownsampleAsync(cutoff - (long)TimeSpan.FromDays(CatchUpDays).TotalMilliseconds, cutoff,
                (long)TimeSpan.FromMinutes(settings.DownsampleMinutes).TotalMilliseconds, cancellationToken);
        logger.LogInformation("Telemetry retention ({Mode}, {Days} days): {Changed} changed", settings.RetentionMode, settings.RetentionDays, changed);
        return changed;
    }
}
