namespace SmartCrm.Service;

/// <summary>
/// The in-process change feed of tickets: whatever stores a reply, a message or a status change on this node says so here, and
/// the live views (the chat page's and the chat console's event streams) wake up and look once, instead of each asking the
/// database every second. A change stored by another node (or by a job that does not publish) is not seen here: the live
/// views also look on a slow timer (<c>Chat:PollSeconds</c>) for that, the cross-node fallback.
/// </summary>
public sealed class TicketFeed
{
    private readonly Lock _gate = new();
    private long _version;
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Counts the changes published so far: a watcher keeps the one it has seen and waits for a later one.</summary>
    public long Version
    {
        get { lock (_gate) return _version; }
    }

    /// <summary>Something of a ticket changed (call after it is stored): every waiting live view wakes.</summary>
    public void Changed()
    {
        TaskCompletionSource fired;
        lock (_gate)
        {
            _version++;
            fired = _next;
            _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        fired.SetResult();
    }

    /// <summary>The inbox's endpoint filter: a message that came in (new, threaded or refused alike) may have changed a ticket.</summary>
    public static async ValueTask<object?> AfterInbound(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var result = await next(context);
        context.HttpContext.RequestServices.GetRequiredService<TicketFeed>().Changed();
        return result;
    }

    /// <summary>
    /// Waits until a change after <paramref name="seen"/> was published, or <paramref name="fallback"/> passed; answers the version
    /// now. A change published between the watcher's last look and this call answers at once, so none is missed.
    /// </summary>
    public async Task<long> WaitAsync(long seen, TimeSpan fallback, TimeProvider clock, CancellationToken cancellationToken)
    {
        Task next;
        lock (_gate)
        {
            if (_version != seen) return _version;
            next = _next.Task;
        }
        try
        {
            await next.WaitAsync(fallback, clock, cancellationToken);
        }
        catch (TimeoutException)
        {
            // The slow look for changes stored elsewhere.
        }
        return Version;
    }
}
