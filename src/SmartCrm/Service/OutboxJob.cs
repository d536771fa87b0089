using Microsoft.Extensions.Options;
using SmartCrm.Operations;
using SmartCrm.Storage;

namespace SmartCrm.Service;

/// <summary>Retries the replies a channel did not take (see <see cref="ChannelOutbox"/>), on one node at a time.</summary>
public sealed class OutboxJob(IServiceScopeFactory scopes, IOptions<OutboundOptions> options, DatabaseConnections connections,
    TimeProvider clock, ILogger<OutboxJob> logger) : ScheduledJob(connections, clock, logger)
{
    protected override string Name => "outbox";

    protected override TimeSpan Period => TimeSpan.FromSeconds(options.Value.PeriodSeconds);

    protected override bool Enabled => options.Value.Retry;

    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        using var scope = scopes.CreateScope();
        var sent = await scope.ServiceProvider.GetRequiredService<ChannelOutbox>().SendDueAsync(100, cancellationToken);
        if (sent > 0) Logger.LogInformation("{Count} waiting replies sent", sent);
    }
}
