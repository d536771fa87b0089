using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using SmartCrm.Operations;
using SmartCrm.Storage;

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
public sealed class TelemetryRetentionJob(TelemetryStore store, DatabaseConnections connections, IOptions<TelemetryOptions> options, TimeProvider clock,
    ILogger<TelemetryRetentionJob> logger)
    : ScheduledJob(connections, clock, logger)
{
    /// <summary>Days before the cut-off that each run folds again (a node that was down for a while catches up).</summary>
    public const int CatchUpDays = 7;

    protected override string Name => "telemetry-retention";

    protected override TimeSpan Period => TimeSpan.FromHours(1);

    protected override bool Enabled => options.Value.RetentionDays > 0;

    protected override Task RunOnceAsync(CancellationToken cancellationToken) => ApplyAsync(cancellationToken);

    /// <summary>One pass of the policy; returns the rows (or partitions) removed or folded.</summary>
    public async Task<long> ApplyAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.RetentionDays == 0) return 0;
        var cutoff = Clock.GetUtcNow().AddDays(-settings.RetentionDays).ToUnixTimeMilliseconds();
        var changed = settings.RetentionMode == RetentionMode.Drop
            ? await store.DropBeforeAsync(cutoff, cancellationToken)
            : await store.DownsampleAsync(cutoff - (long)TimeSpan.FromDays(CatchUpDays).TotalMilliseconds, cutoff,
                (long)TimeSpan.FromMinutes(settings.DownsampleMinutes).TotalMilliseconds, cancellationToken);
        Logger.LogInformation("Telemetry retention ({Mode}, {Days} days): {Changed} changed", settings.RetentionMode, settings.RetentionDays, changed);
        return changed;
    }
}
