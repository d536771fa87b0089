namespace SmartCrm.Chat;

/// <summary>Who wrote a line of a chat as the pages show it.</summary>
public enum ChatLineKind { Customer, Assistant, Handoff, Agent }

/// <summary>One line of a chat: the visitor's and the assistant's from the chat, agents' from the public replies of its tickets.</summary>
public sealed record ChatLine(
    long Id, ChatLineKind Kind, string Body, string? Author, DateTime At, long? TicketId, long? ArticleId = null, string? ArticleTitle = null,
    double? Confidence = null, bool? Helpful = null);
