namespace SmartCrm.Chat;

/// <summary>What became of a visitor's message: answered by the assistant, handed to a person as a ticket, or added to the ticket a person is on.</summary>
public enum ChatOutcomeKind { Answered, HandedOff, Delivered }

/// <summary>A sent message's outcome, or the problem (field and message) that refused it.</summary>
public sealed record ChatOutcome(ChatOutcomeKind Kind, long? TicketId, string? Field = null, string? Problem = null)
{
    public bool Refused => Problem is not null;

    public static ChatOutcome Refuse(string field, string problem) => new(default, null, field, problem);
}
