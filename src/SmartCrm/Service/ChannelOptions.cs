using System.ComponentModel.DataAnnotations;
using SmartCrm.Interactions;

namespace SmartCrm.Service;

/// <summary>
/// The inbound channels that may post messages (`Channels:Secrets:{channel}`), each with the secret its webhooks are signed
/// with. A channel without a secret is off: its address answers 404. Checked when the server starts, not at the first message.
/// </summary>
public sealed class ChannelOptions : IValidatableObject
{
    public const string Section = "Channels";

    /// <summary>The channels the inbox knows, and what each is on a customer's timeline.</summary>
    public static readonly Dictionary<string, Channel> Known = new(StringComparer.Ordinal)
    {
        ["email"] = Channel.Email,
        ["chat"] = Channel.Chat,
        ["wechat"] = Channel.Social,
        ["social"] = Channel.Social,
        ["phone"] = Channel.Phone,
        ["transcript"] = Channel.Phone,
    };

    /// <summary>Shortest secret accepted: 32 characters, enough for 128 bits or more of a random key.</summary>
    public const int MinSecretLength = 32;

    public Dictionary<string, string> Secrets { get; set; } = [];

    /// <summary>How far a webhook's timestamp may be from the server's clock before it is refused as stale (or replayed).</summary>
    [Range(10, 3600)] public int ToleranceSeconds { get; set; } = 300;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (channel, secret) in Secrets)
        {
            if (!Known.ContainsKey(channel))
                yield return new ValidationResult($"Channels:Secrets:{channel}: not a channel (known: {string.Join(", ", Known.Keys)}).");
            else if (string.IsNullOrEmpty(secret) || secret.Length < MinSecretLength)
                yield return new ValidationResult($"Channels:Secrets:{channel}: the secret must have at least {MinSecretLength} characters.");
        }
    }
}
