namespace SmartCrm.Knowledge;

/// <summary>How an article reached a ticket's customer.</summary>
public enum ArticleUseVia { Assistant, Agent }

/// <summary>
/// An article used on a ticket: the assistant answered from it (and an agent confirmed the answer helped) or an agent cited it in
/// a reply. Once the ticket is resolved or closed, the article counts as having resolved it.
/// </summary>
public sealed class ArticleUse
{
    public long Id { get; set; }
    public long ArticleId { get; set; }
    public long TicketId { get; set; }
    public ArticleUseVia Via { get; set; }
    [System.ComponentModel.DataAnnotations.MaxLength(100)] public string? UsedBy { get; set; }
    public DateTime UsedAt { get; set; }
}
