using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using SmartCrm.Storage;

namespace SmartCrm.Chat;

/// <summary>
/// One visitor's chat, found again by a random token kept in their browser (only its hash is stored). Anonymous until the
/// visitor gives an e-mail address; linked to the customer with that address, or to the lead a hand-off makes.
/// </summary>
public sealed class ChatSession
{
    public long Id { get; set; }
    [MaxLength(64), JsonIgnore, Secret] public required string TokenHash { get; set; }
    public long? CustomerId { get; set; }
    [MaxLength(200)] public string? Name { get; set; }
    [MaxLength(254)] public string? Email { get; set; }
    /// <summary>The ticket the chat was last handed to; while it is open, the visitor's messages go to it and a person answers.</summary>
    public long? TicketId { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime LastActivityAt { get; set; }
}
