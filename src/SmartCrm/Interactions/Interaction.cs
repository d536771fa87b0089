using System.ComponentModel.DataAnnotations;

namespace SmartCrm.Interactions;

public enum Channel { Phone, Email, Chat, Social, Web, Store }

public enum Direction { Inbound, Outbound }

public sealed class Interaction
{
    public long Id { get; set; }
    public long CustomerId { get; set; }
    public Channel Channel { get; set; }
    public Direction Direction { get; set; }
    [MaxLength(300)] public required string Subject { get; set; }
    [MaxLength(8000)] public string? Body { get; set; }
    public DateTime OccurredAt { get; set; }
    [MaxLength(100)] public string? Agent { get; set; }
}
