namespace SmartCrm.Tickets;

/// <summary>The customer's service level: premium customers (tagged vip or premium) are promised faster answers.</summary>
public enum CustomerTier { Standard, Premium }

/// <summary>
/// The SLA clocks. A new ticket's due times are its creation plus its policy's (<see cref="SlaPolicy"/>, stored; the defaults
/// below are what a new database is seeded with); Pending stops the clocks (<see cref="Ticket.MoveTo"/>); <see cref="Read"/>
/// says where each clock stands now.
/// </summary>
public static class Sla
{
    /// <summary>A clock warns when less than this share of its policy's time is left.</summary>
    public const double WarningShare = 0.25;

    private static readonly Dictionary<Priority, (TimeSpan FirstResponse, TimeSpan Resolution)> Standard = new()
    {
        [Priority.Urgent] = (TimeSpan.FromHours(1), TimeSpan.FromHours(4)),
        [Priority.High] = (TimeSpan.FromHours(2), TimeSpan.FromHours(8)),
        [Priority.Normal] = (TimeSpan.FromHours(8), TimeSpan.FromDays(1)),
        [Priority.Low] = (TimeSpan.FromDays(1), TimeSpan.FromDays(3)),
    };

    /// <summary>The policies a new database starts with (migration V15 seeds the same figures).</summary>
    public static IReadOnlyList<SlaPolicy> Defaults { get; } =
        [.. from tier in Enum.GetValues<CustomerTier>() from priority in Enum.GetValues<Priority>().Reverse() select For(priority, tier)];

    /// <summary>The default policy of a priority and tier (see <see cref="Defaults"/>).</summary>
    public static SlaPolicy For(Priority priority, CustomerTier tier)
    {
        var (first, resolution) = Standard[priority];
        // Premium customers get half the time on every target.
        return tier == CustomerTier.Premium ? SlaPolicy.Of(priority, tier, first / 2, resolution / 2) : SlaPolicy.Of(priority, tier, first, resolution);
    }

    /// <summary>The standard tier's resolution time for a priority (what demo data and older callers use as the due time).</summary>
    public static TimeSpan ResponseTime(Priority priority) => For(priority, CustomerTier.Standard).Resolution;

    public static CustomerTier TierOf(IEnumerable<string>? tags) =>
        tags?.Any(t => t.Equals("vip", StringComparison.OrdinalIgnoreCase) || t.Equals("premium", StringComparison.OrdinalIgnoreCase)) == true
            ? CustomerTier.Premium : CustomerTier.Standard;

    /// <summary>
    /// Sets both due times of a new ticket from its policy (the stored one; the default when none is given); a due time given by
    /// hand wins for the resolution.
    /// </summary>
    public static void Start(Ticket ticket, DateTime now, DateTime? resolutionDue = null, SlaPolicy? policy = null)
    {
        policy ??= For(ticket.Priority, ticket.Tier);
        ticket.FirstResponseDueAt ??= now + policy.FirstResponse;
        ticket.DueAt = resolutionDue ?? ticket.DueAt ?? now + policy.Resolution;
    }

    /// <summary>Where both clocks of <paramref name="ticket"/> stand at <paramref name="now"/>.</summary>
    public static SlaClock Read(Ticket ticket, DateTime now, SlaPolicy? policy = null)
    {
        // The policy's lengths only place the warning (the last quarter); the due times themselves were fixed at the start.
        policy ??= For(ticket.Priority, ticket.Tier);
        // While paused, time stands still at the moment the ticket began to wait.
        var at = ticket.PausedAt is { } paused && paused < now ? paused : now;
        return new SlaClock(
            Target(ticket.FirstResponseDueAt, ticket.FirstRespondedAt, policy.FirstResponse, at, ticket.PausedAt is not null),
            Target(ticket.DueAt, ticket.ResolvedAt, policy.Resolution, at, ticket.PausedAt is not null));
    }

    private static SlaTarget Target(DateTime? due, DateTime? doneAt, TimeSpan length, DateTime at, bool paused)
    {
        if (due is not { } dueAt) return new SlaTarget(null, SlaState.None, null);
        if (doneAt is { } done) return new SlaTarget(dueAt, done <= dueAt ? SlaState.Met : SlaState.Breached, null);
        var left = dueAt - at;
        var state = left < TimeSpan.Zero ? SlaState.Breached
            : paused ? SlaState.Paused
            : left.Ticks < length.Ticks * WarningShare ? SlaState.Warning
            : SlaState.Running;
        return new SlaTarget(dueAt, state, left);
    }
}

public enum SlaState { None, Running, Warning, Paused, Breached, Met }

/// <summary>One SLA target: when it is due, how it stands, and the time left (negative once breached; null once met).</summary>
public sealed record SlaTarget(DateTime? DueAt, SlaState State, TimeSpan? Left);

public sealed record SlaClock(SlaTarget FirstResponse, SlaTarget Resolution)
{
    public bool BreachWarning => FirstResponse.State == SlaState.Warning || Resolution.State == SlaState.Warning;

    public bool Breached => FirstResponse.State == SlaState.Breached || Resolution.State == SlaState.Breached;
}
