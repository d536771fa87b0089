using Microsoft.AspNetCore.Http.HttpResults;
using SmartCrm.Records;
using SmartCrm.Tickets;

namespace SmartCrm.Service;

/// <summary>A desk action's outcome: the changed ticket, or the problem (status, field, message) that stopped it.</summary>
public sealed record DeskResult(Ticket? Ticket, int Status, string? Field, string? Message)
{
    public bool Succeeded => Ticket is not null;

    public static DeskResult Done(Ticket ticket) => new(ticket, StatusCodes.Status200OK, null, null);

    public static DeskResult NotFound(long id) => new(null, StatusCodes.Status404NotFound, "id", $"No ticket with id {id}.");

    public static DeskResult Invalid(string field, string message) => new(null, StatusCodes.Status400BadRequest, field, message);

    public static DeskResult Conflict(string field, string message) => new(null, StatusCodes.Status409Conflict, field, message);

    /// <summary>The problem+json answer for a failed action (never called on success).</summary>
    public ProblemHttpResult Problem() => Status switch
    {
        StatusCodes.Status404NotFound => TypedResults.Problem(title: "Ticket not found", detail: Message, statusCode: Status),
        StatusCodes.Status400BadRequest => Problems.Field(Field!, Message!),
        _ => TypedResults.Problem(title: "The ticket is not in a state that allows this.", detail: $"{Field}: {Message}", statusCode: Status,
            extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [Field!] = [Message!] } }),
    };
}
