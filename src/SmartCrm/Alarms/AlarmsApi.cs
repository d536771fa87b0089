using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Records;
using SmartCrm.Security;
using SmartCrm.Storage;

namespace SmartCrm.Alarms;

public sealed record AlarmDetail(Alarm Alarm, IReadOnlyList<AlarmEvent> History);

public sealed record AlarmNote
{
    [MaxLength(500)] public string? Note { get; init; }
}

public sealed record AlarmRuleInput
{
    [Required, MaxLength(200)] public string? Name { get; init; }
    [MaxLength(100)] public string? Model { get; init; }
    [Required, MaxLength(100)] public string? Key { get; init; }
    [Required] public Comparison? Comparison { get; init; }
    [Required] public double? Threshold { get; init; }
    public double? ClearThreshold { get; init; }
    public AlarmSeverity? Severity { get; init; }
    [MaxLength(100)] public string? AlarmType { get; init; }
    public bool? Enabled { get; init; }

    public void ApplyTo(AlarmRule rule)
    {
        rule.Name = Name!.Trim();
        rule.Model = Normalise.Text(Model);
        rule.Key = Key!.Trim();
        rule.Comparison = Comparison!.Value;
        rule.Threshold = Threshold!.Value;
        rule.ClearThreshold = ClearThreshold;
        rule.Severity = Severity ?? AlarmSeverity.Major;
        rule.AlarmType = Normalise.Text(AlarmType) ?? rule.Name;
        rule.Enabled = Enabled ?? true;
    }

    public Dictionary<string, string[]> Check()
    {
        var errors = new Dictionary<string, string[]>();
        if (Threshold is { } t && !double.IsFinite(t)) errors["threshold"] = ["Must be a finite number."];
        if (ClearThreshold is { } clear && Threshold is { } threshold && Comparison is { } comparison)
        {
            // The clear line must sit on the safe side of the alarm line, or the alarm would clear while still raised.
            var wrongSide = comparison switch
            {
                Alarms.Comparison.Above or Alarms.Comparison.AtLeast => clear > threshold,
                Alarms.Comparison.Below or Alarms.Comparison.AtMost => clear < threshold,
                _ => false,
            };
            if (wrongSide) errors["clearThreshold"] = [$"Must be on the safe side of the threshold ({threshold}) for '{comparison}'."];
        }
        return errors;
    }
}

public static class AlarmsApi
{
    public static IServiceCollection AddAlarms(this IServiceCollection services)
    {
        services.AddOptions<AlarmOptions>().BindConfiguration(AlarmOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<AlarmBook>();
        services.AddSingleton<FailurePrediction>();
        services.AddSingleton<AlarmEngine>();
        services.AddHostedService(s => s.GetRequiredService<AlarmEngine>());
        return services;
    }

    public static IEndpointRouteBuilder MapAlarmsApi(this IEndpointRouteBuilder api)
    {
        var alarms = api.MapGroup("/alarms").WithTags("Alarm");

        alarms.MapGet("/", async Task<Results<Ok<ListPage<Alarm>>, ProblemHttpResult>> (HttpContext http, CrmDb db, int? page, int? pageSize, string? sort, bool? open,
            CancellationToken cancellationToken) =>
        {
            var query = db.Alarms.AsQueryable();
            if (open is { } onlyOpen) query = onlyOpen ? query.Where(a => a.ClearedAt == null) : query.Where(a => a.ClearedAt != null);
            var parameters = new QueryCollection(http.Request.Query.Where(q => q.Key != "open").ToDictionary(q => q.Key, q => q.Value));
            var filtered = QueryOptions.Filter(query, parameters);
            if (filtered.Error is { } error) return error;
            var sorted = QueryOptions.Sort(filtered.Query!, sort ?? "-startedAt");
            if (sorted.Error is { } sortError) return sortError;
            return await QueryOptions.PageAsync(sorted.Query!, page, pageSize, cancellationToken);
        }).RequireAuthorization(Permissions.CustomersRead).WithName("ListAlarms");

        alarms.MapGet("/{id:long}", async Task<Results<Ok<AlarmDetail>, ProblemHttpResult>> (long id, CrmDb db, CancellationToken cancellationToken) =>
        {
            var alarm = await db.Alarms.FirstOrDefaultAsync(a => a.Id == id, cancellationToken);
            if (alarm is null) return Problems.NotFound("Alarm", id);
            var history = await db.AlarmEvents.Where(e => e.AlarmId == id).OrderBy(e => e.Id).ToListAsync(cancellationToken);
            return TypedResults.Ok(new AlarmDetail(alarm, history));
        }).RequireAuthorization(Permissions.CustomersRead).WithName("GetAlarm");

        alarms.MapPost("/{id:long}/acknowledge", async Task<Results<Ok<Alarm>, ProblemHttpResult>> (long id, AlarmBook book, Actor actor, CancellationToken cancellationToken) =>
            await book.AcknowledgeAsync(id, actor.Name, cancellationToken) is { } alarm ? TypedResults.Ok(alarm) : Problems.NotFound("Alarm", id))
            .RequireAuthorization(Permissions.AlarmsWrite).WithName("AcknowledgeAlarm");

        alarms.MapPost("/{id:long}/clear", async Task<Results<Ok<Alarm>, ProblemHttpResult>> (long id, AlarmNote? body, AlarmBook book, Actor actor, CancellationToken cancellationToken) =>
            await book.ClearAsync(id, actor.Name, body?.Note, cancellationToken) is { } alarm ? TypedResults.Ok(alarm) : Problems.NotFound("Alarm", id))
            .RequireAuthorization(Permissions.AlarmsWrite).WithName("ClearAlarm");

        var rules = api.MapRecords("/alarm-rules", new RecordRules<AlarmRule, AlarmRuleInput>
        {
            ReadPermission = Permissions.CustomersRead,
            WritePermission = Permissions.AlarmsWrite,
            Create = input => { var rule = new AlarmRule { Name = "", Key = "", AlarmType = "" }; input.ApplyTo(rule); return rule; },
            Apply = (input, rule) => input.ApplyTo(rule),
            Check = (input, _, _) => Task.FromResult(input.Check()),
            AfterDelete = (_, services) => services.GetRequiredService<AlarmEngine>().RulesChanged(),
        });
        // New and changed rules apply from the next reading on this node (other nodes within ten seconds).
        rules.AddEndpointFilter(async (context, next) =>
        {
            var result = await next(context);
            if (!HttpMethods.IsGet(context.HttpContext.Request.Method)) context.HttpContext.RequestServices.GetRequiredService<AlarmEngine>().RulesChanged();
            return result;
        });
        return api;
    }
}
