using Microsoft.EntityFrameworkCore;
using SmartCrm.Storage;
using SmartCrm.Tickets;

namespace SmartCrm.Alarms;

/// <summary>The device an alarm is about, as the alarm engine knows it.</summary>
public sealed record AlarmDevice(long Id, string Name, string? Model, long? CustomerId);

/// <summary>
/// Raising, acknowledging and clearing alarms. Raising is idempotent per device and type: while an alarm is open, the same
/// condition raises its count; the unique index on open alarms settles a race between nodes. A critical alarm opens one
/// urgent fault ticket for the device's owner, in the same transaction.
/// </summary>
public sealed class AlarmBook(CrmDb db, TimeProvider clock, ILogger<AlarmBook> logger)
{
    public async Task<(Alarm Alarm, bool Raised)> RaiseAsync(AlarmDevice device, string type, AlarmSeverity severity, AlarmSource source, string message,
        string? key, double? value, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var open = await db.Alarms.AsTracking().FirstOrDefaultAsync(a => a.DeviceId == device.Id && a.Type == type && a.ClearedAt == null, cancellationToken);
            if (open is not null)
            {
                await RepeatAsync(open, device, severity, message, value, cancellationToken);
                return (open, false);
            }
            try
            {
                return (await OpenAsync(device, type, severity, source, message, key, value, cancellationToken), true);
            }
            catch (DbUpdateException) when (attempt == 0)
            {
                // Another node opened the same alarm a moment ago: count this reading on it instead.
                db.ChangeTracker.Clear();
            }
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
            Message = Shorten(message, 300), Key = key, Value = value, StartedAt = now, LastAt = now,
        };
        db.Alarms.Add(alarm);
        await db.SaveChangesAsync(cancellationToken);
        db.AlarmEvents.Add(new AlarmEvent { AlarmId = alarm.Id, At = now, Action = "Raised", Actor = source.ToString().ToLowerInvariant(), Note = alarm.Message });
        if (severity == AlarmSeverity.Critical) await OpenTicketAsync(alarm, device, now, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogWarning("Alarm {Type} ({Severity}) raised on device {Device}: {Message}", type, severity, device.Name, alarm.Message);
        return alarm;
    }

    private async Task RepeatAsync(Alarm open, AlarmDevice device, AlarmSeverity severity, string message, double? value, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        open.Count++;
        open.LastAt = now;
        open.Value = value;
        // Repeats are not audited one by one (a reading a second would drown the log); escalations are events.
        db.AuditEnabled = false;
        if (severity > open.Severity)
        {
            open.Severity = severity;
            open.Message = Shorten(message, 300);
            db.AlarmEvents.Add(new AlarmEvent { AlarmId = open.Id, At = now, Action = "Escalated", Note = $"{severity}: {open.Message}" });
        }
        if (open.Severity == AlarmSeverity.Critical && open.TicketId is null)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            db.AuditEnabled = true;
            await OpenTicketAsync(open, device, now, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return;
        }
        await db.SaveChangesAsync(cancellationToken);
        db.AuditEnabled = true;
    }

    /// <summary>Adds and saves the fault ticket and links it to the alarm; the caller saves the link and commits.</summary>
    private async Task OpenTicketAsync(Alarm alarm, AlarmDevice device, DateTime now, CancellationToken cancellationToken)
    {
        if (device.CustomerId is not { } customer) return;
        var ticket = FaultTicket.Open(db, customer, Shorten($"{device.Name}: {alarm.Message}", 300),
            $"Opened by a critical {alarm.Type} alarm on device {device.Name} (#{device.Id}{(device.Model is null ? "" : ", " + device.Model)}).", clock);
        await db.SaveChangesAsync(cancellationToken);
        alarm.TicketId = ticket.Id;
        db.AlarmEvents.Add(new AlarmEvent { AlarmId = alarm.Id, At = now, Action = "TicketOpened", Note = $"Ticket #{ticket.Id}" });
        logger.LogWarning("Critical alarm {Type} on device {Device} opened ticket {Ticket} for customer {Customer}", alarm.Type, device.Name, ticket.Id, customer);
    }

    /// <summary>What the console's alarm menus ask for: "clear", or otherwise acknowledge.</summary>
    public Task<Alarm?> HandleAsync(long id, string? action, string actor, CancellationToken cancellationToken) =>
        action == "clear" ? ClearAsync(id, actor, null, cancellationToken) : AcknowledgeAsync(id, actor, cancellationToken);

    public async Task<Alarm?> AcknowledgeAsync(long id, string actor, CancellationToken cancellationToken)
    {
        var alarm = await db.Alarms.AsTracking().FirstOrDefaultAsync(a => a.Id == id, cancellationToken);
        if (alarm is null || alarm.AcknowledgedAt is not null) return alarm;
        var now = clock.GetUtcNow().UtcDateTime;
        alarm.AcknowledgedAt = now;
        alarm.AcknowledgedBy = actor;
        if (alarm.Status == AlarmStatus.Active) alarm.Status = AlarmStatus.Acknowledged;
        db.AlarmEvents.Add(new AlarmEvent { AlarmId = id, At = now, Action = "Acknowledged", Actor = actor });
        await db.SaveChangesAsync(cancellationToken);
        return alarm;
    }

    public async Task<Alarm?> ClearAsync(long id, string actor, string? note, CancellationToken cancellationToken)
    {
        var alarm = await db.Alarms.AsTracking().FirstOrDefaultAsync(a => a.Id == id, cancellationToken);
        if (alarm is null || alarm.ClearedAt is not null) return alarm;
        var now = clock.GetUtcNow().UtcDateTime;
        alarm.ClearedAt = now;
        alarm.ClearedBy = actor;
        alarm.Status = AlarmStatus.Cleared;
        db.AlarmEvents.Add(new AlarmEvent { AlarmId = id, At = now, Action = "Cleared", Actor = actor, Note = note is null ? null : Shorten(note, 500) });
        await db.SaveChangesAsync(cancellationToken);
        return alarm;
    }

    /// <summary>Clears the open alarm of a type on a device, if there is one (the data is back to normal).</summary>
    public async Task<bool> ClearOpenAsync(long deviceId, string type, string actor, string note, CancellationToken cancellationToken)
    {
        var id = await db.Alarms.Where(a => a.DeviceId == deviceId && a.Type == type && a.ClearedAt == null).Select(a => (long?)a.Id).FirstOrDefaultAsync(cancellationToken);
        if (id is null) return false;
        await ClearAsync(id.Value, actor, note, cancellationToken);
        return true;
    }

    private static string Shorten(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";
}
