using System.ComponentModel.DataAnnotations;

namespace SmartCrm.Devices;

/// <summary>An RFID/NFC card or tag linked to a customer: a store reader that sees it puts a visit on the customer's timeline.</summary>
public sealed class Card
{
    public long Id { get; set; }
    /// <summary>The tag's UID as the reader reports it, upper-case hex without separators.</summary>
    [MaxLength(64)] public required string Uid { get; set; }
    public long CustomerId { get; set; }
    [MaxLength(100)] public string? Label { get; set; }
    public DateTime CreatedAt { get; set; }

    public static string NormaliseUid(string uid) =>
        new([.. uid.Where(char.IsAsciiLetterOrDigit).Select(char.ToUpperInvariant)]);
}
