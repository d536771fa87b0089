using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using SmartCrm.Storage;
using SmartCrm.Tickets;

namespace SmartCrm.Alarms;

/// <summary>The device an alarm is about, as the alarm engine knows it.</summary>
public sealed record AlarmDevice(long Id, string Name, string? Model, long? CustomerId);

/// <summary>
/// Raising, acknowledging and clearing alarms, correct with any number of nodes on one database. The database holds the
/// rules: one open alarm per device and type (a unique index on open alarms), one ticket per alarm (a unique index on the
/// ticket's alarm). Each step is a conditional write, so two nodes (or a node and a person) acting on the same alarm at the
/// same moment cannot both succeed: the loser sees what the winner did and goes on from there. A critical alarm opens an
/// urgent fault ticket for the device's owner, or joins the ticket still open for the same fault of the same device.
/// </summary>
public sealed class AlarmBook(CrmDb db, TimeProvider clock, DeskRules desk, ILogger<AlarmBook> logger)
{
    // A raise can lose a race against an open, a clear, and an open again; more than that is not a race but a fault.
    private const int Attempts = 5;

    private static readonly Dictionary<AlarmSeverity, AlarmSeverity[]> Below = Enum.GetValues<AlarmSeverity>()
        .ToDictionary(s => s, s => Enum.GetValues<AlarmSeverity>().Where(lower => lower < s).ToArray());

    /// <summary>
    /// Raises an alarm of <paramref name="type"/> on the device, or counts the reading on the one already open (escalating
    /// its severity if this reading is worse). True when this call opened the alarm.
    /// </summary>
    public async Task<(Alarm Alarm, bool Raised)> RaiseAsync(AlarmDevice device, string type, AlarmSeverity severity, AlarmSource source, string message,
        string? key, double? value, CancellationToken cancellationToken)
    {
        message = Shorten(message, 300);
        for (var attempt = 1; ; attempt++)
        {
            var open = await db.Alarms.FirstOrDefaultAsync(a => a.DeviceId == device.Id && a.Type == type && a.ClearedAt == null, cancellationToken);
            if (open is not null)
            {
                if (await RepeatAsync(open, device, severity, message, value, cancellationToken) is { } repeated) return (repeated, false);
            }
            else
            {
                try
                {
                    return (await OpenAsync(device, type, severity, source, message, key, value, cancellationToken), true);
                }
                catch (DbUpdateException e) when (IsUniqueViolation(e))
                {
                    // Another node opened the same alarm a moment ago: count this reading on it instead.
                    db.ChangeTracker.Clear();
                }
            }
            // Cleared or opened by someone else between the read and the write: look again.
            if (attempt == Attempts) throw new InvalidOperationException($"Alarm {type} on device {device.Id} changed under every one of {Attempts} attempts to raise it.");
        }
    }

    private async Task<Alarm> OpenAsync(AlarmDevice device, string type, AlarmSeverity severity, AlarmSource source, string message, string? key, double? value,
        CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var alarm = new Alarm
        {
            DeviceId = device.Id, CustomerId = device.CustomerId, Type = type, Severity = severity, Status = AlarmStatus.Active, Source = source,
            Message = message, Key = key, Value = value, StartedAt = now, LastAt = now,
        };
        db.Alarms.Add(alarm);
        await db.SaveChangesAsync(cancellationToken);
        db.AlarmEvents.Add(new AlarmEvent { AlarmId = alarm.Id, At = now, Action = "Raised", Actor = source.ToString().ToLowerInvariant(), Note = alarm.Message });
        await db.SaveChangesAsync(cancellationToken);
        // A new alarm is seen by no other node before this commits, so its ticket cannot be taken from under it.
        if (severity == AlarmSeverity.Critical && device.CustomerId is not null) alarm.TicketId = await TicketAsync(alarm, device, now, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        db.ChangeTracker.Clear();
        logger.LogWarning("Alarm {Type} ({Severity}) raised on device {Device}: {Message}", type, severity, device.Name, alarm.Message);
        return alarm;
    }

    /// <summary>Counts a reading on the open alarm; null when it was cleared in the meantime (the caller raises a new one).</summary>
    private async Task<Alarm?> RepeatAsync(Alarm open, AlarmDevice device, AlarmSeverity severity, string message, double? value, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        // One statement, so readings counted by two nodes at once are both counted. Repeats are not audited one by one
        // (a reading a second would drown the log); escalations and tickets are events.
        var counted = await db.Alarms.Where(a => a.Id == open.Id && a.ClearedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Count, a => a.Count + 1).SetProperty(a => a.LastAt, now).SetProperty(a => a.Value, value), cancellationToken);
        if (counted == 0) return null;
        open.Count++;
        open.LastAt = now;
        open.Value = value;
        if (severity > open.Severity)
        {
            var lower = Below[severity];
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var escalated = await db.Alarms.Where(a => a.Id == open.Id && a.ClearedAt == null && lower.Contains(a.Severity))
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.Severity, severity).SetProperty(a => a.Message, message), cancellationToken);
            if (escalated == 1)
            {
                db.AlarmEvents.Add(new AlarmEvent { AlarmId = open.Id, At = now, Action = "Escalated", Note = Shorten($"{severity}: {message}", 500) });
                await db.SaveChangesAsync(cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
            open.Severity = severity;
            open.Message = message;
        }
        if (open.Severity == AlarmSeverity.Critical && open.TicketId is null && device.CustomerId is not null)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            long? ticket;
            try
            {
                ticket = await TicketAsync(open, device, now, cancellationToken);
            }
            catch (DbUpdateException e) when (IsUniqueViolation(e))
            {
                ticket = null;
            }
            if (ticket is not null)
            {
                await transaction.CommitAsync(cancellationToken);
                open.TicketId = ticket;
            }
            else
            {
                // Another node gave this alarm its ticket at the same moment (that one stands), or the alarm was cleared: what this
                // call made is rolled back.
                await transaction.RollbackAsync(cancellationToken);
                db.ChangeTracker.Clear();
                open.TicketId = await db.Alarms.Where(a => a.Id == open.Id).Select(a => a.TicketId).FirstOrDefaultAsync(cancellationToken);
            }
        }
        return open;
    }

    /// <summary>
    /// The fault ticket for a critical alarm of an owned device, inside the caller's transaction: the ticket still open for
    /// the same fault (same device, same alarm type) if there is one, otherwise a new urgent ticket for the owner. Null, or a
    /// unique violation, when another node linked a ticket first: then the caller rolls back what this made.
    /// </summary>
    private async Task<long?> TicketAsync(Alarm alarm, AlarmDevice device, DateTime now, CancellationToken cancellationToken)
    {
        var customer = device.CustomerId!.Value;
        // A device that rebooted or reconnected clears its alarm and raises it again: that is still the same fault and the
        // same case for the customer, so it joins the ticket an agent may already be working on.
        var same = await db.Tickets
            .Where(t => t.CustomerId == customer && t.Kind == TicketKind.Fault && t.Status != TicketStatus.Resolved && t.Status != TicketStatus.Closed && t.AlarmId != null)
            .Join(db.Alarms.Where(a => a.DeviceId == device.Id && a.Type == alarm.Type && a.Id != alarm.Id), t => t.AlarmId, a => a.Id, (t, _) => (long?)t.Id)
            .OrderByDescending(id => id).FirstOrDefaultAsync(cancellationToken);
        var ticketId = same;
        if (ticketId is null)
        {
            var tags = await db.Customers.Where(c => c.Id == customer).Select(c => c.Tags).FirstOrDefaultAsync(cancellationToken);
            var tier = Sla.TierOf(tags);
            var policy = (await desk.CurrentAsync(db, cancellationToken)).Policies.GetValueOrDefault((Priority.Urgent, tier));
            var ticket = FaultTicket.Open(db, customer, alarm.Id, Shorten($"{device.Name}: {alarm.Message}", 300),
                $"Opened by a critical {alarm.Type} alarm on device {device.Name} (#{device.Id}{(device.Model is null ? "" : ", " + device.Model)}).", clock,
                tier, policy);
            // The unique index on the ticket's alarm refuses a second ticket for this alarm from another node.
            await db.SaveChangesAsync(cancellationToken);
            ticketId = ticket.Id;
        }
        // Not if another node linked one first, nor if the alarm was cleared in the meantime (no ticket for a fault that is gone).
        var linked = await db.Alarms.Where(a => a.Id == alarm.Id && a.TicketId == null && a.ClearedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.TicketId, ticketId), cancellationToken);
        if (linked == 0) return null;
        db.AlarmEvents.Add(same is null
            ? new AlarmEvent { AlarmId = alarm.Id, At = now, Action = "TicketOpened", Note = $"Ticket #{ticketId}" }
            : new AlarmEvent { AlarmId = alarm.Id, At = now, Action = "TicketLinked", Note = $"Ticket #{ticketId}, still open for this fault" });
        await db.SaveChangesAsync(cancellationToken);
        if (same is null) logger.LogWarning("Critical alarm {Type} on device {Device} opened ticket {Ticket} for customer {Customer}", alarm.Type, device.Name, ticketId, customer);
        else logger.LogWarning("Critical alarm {Type} on device {Device} joined ticket {Ticket}, still open for the same fault", alarm.Type, device.Name, ticketId);
        return ticketId;
    }

    /// <summary>What the console's alarm menus ask for: "clear", or otherwise acknowledge.</summary>
    public Task<Alarm?> HandleAsync(long id, string? action, string actor, CancellationToken cancellationToken) =>
        action == "clear" ? ClearAsync(id, actor, null, cancellationToken) : AcknowledgeAsync(id, actor, cancellationToken);

    /// <summary>Acknowledges the alarm once; a cleared alarm keeps its status. Null when there is no such alarm.</summary>
    public async Task<Alarm?> AcknowledgeAsync(long id, string actor, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Only the first acknowledgement counts, and it never turns a cleared alarm back to acknowledged.
        var acknowledged = await db.Alarms.Where(a => a.Id == id && a.AcknowledgedAt == null).ExecuteUpdateAsync(s => s
            .SetProperty(a => a.AcknowledgedAt, now).SetProperty(a => a.AcknowledgedBy, actor)
            .SetProperty(a => a.Status, a => a.Status == AlarmStatus.Active ? AlarmStatus.Acknowledged : a.Status), cancellationToken);
        if (acknowledged == 1)
        {
            db.AlarmEvents.Add(new AlarmEvent { AlarmId = id, At = now, Action = "Acknowledged", Actor = actor });
            await db.SaveChangesAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return await db.Alarms.FirstOrDefaultAsync(a => a.Id == id, cancellationToken);
    }

    /// <summary>Clears the alarm once (a person, or the data); null when there is no such alarm.</summary>
    public async Task<Alarm?> ClearAsync(long id, string actor, string? note, CancellationToken cancellationToken)
    {
        await TryClearAsync(id, actor, note, cancellationToken);
        return await db.Alarms.FirstOrDefaultAsync(a => a.Id == id, cancellationToken);
    }

    /// <summary>Clears the open alarm of a type on a device, if there is one (the data is back to normal); true when this call cleared it.</summary>
    public async Task<bool> ClearOpenAsync(long deviceId, string type, string actor, string note, CancellationToken cancellationToken)
    {
        var id = await db.Alarms.Where(a => a.DeviceId == deviceId && a.Type == type && a.ClearedAt == null).Select(a => (long?)a.Id).FirstOrDefaultAsync(cancellationToken);
        return id is not null && await TryClearAsync(id.Value, actor, note, cancellationToken);
    }

    private async Task<bool> TryClearAsync(long id, string actor, string? note, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        // The change and its history entry commit together, so no one reads a cleared alarm without its "Cleared".
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Only one clear wins, whether two people, a person and the data, or two nodes clear at once.
        var cleared = await db.Alarms.Where(a => a.Id == id && a.ClearedAt == null).ExecuteUpdateAsync(s => s
            .SetProperty(a => a.ClearedAt, now).SetProperty(a => a.ClearedBy, actor).SetProperty(a => a.Status, AlarmStatus.Cleared), cancellationToken);
        if (cleared == 0) return false;
        db.AlarmEvents.Add(new AlarmEvent { AlarmId = id, At = now, Action = "Cleared", Actor = actor, Note = note is null ? null : Shorten(note, 500) });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Whether a save failed on a unique index: on either database, the sign that another node wrote the same row first.</summary>
    public static bool IsUniqueViolation(DbUpdateException e) => e.InnerException switch
    {
        PostgresException postgres => postgres.SqlState == PostgresErrorCodes.UniqueViolation,
        // SQLITE_CONSTRAINT_UNIQUE and SQLITE_CONSTRAINT_PRIMARYKEY.
        SqliteException sqlite => sqlite.SqliteExtendedErrorCode is 2067 or 1555,
        _ => false,
    };

    private static string Shorten(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";
}
