using System.ComponentModel.DataAnnotations;
using MimeKit;

namespace SmartCrm.Service;

/// <summary>
/// The outbound channel adapters (`Outbound`): SMTP for email, a signed webhook per chat or social channel. Checked when the server
/// starts. A channel without an adapter keeps recording replies on the ticket and the timeline without sending them.
/// </summary>
public sealed class OutboundOptions : IValidatableObject
{
    public const string Section = "Outbound";

    /// <summary>The channels a webhook adapter may serve: those whose customers are reached by an id the channel knows.</summary>
    public static readonly string[] WebhookChannels = ["chat", "wechat", "social"];

    public SmtpSettings Smtp { get; set; } = new();

    public Dictionary<string, WebhookTarget> Webhooks { get; set; } = [];

    /// <summary>How often the outbox job retries what could not be sent.</summary>
    [Range(1, 3600)] public int PeriodSeconds { get; set; } = 30;

    /// <summary>False stops the retry job (tests drive the outbox themselves); replies are still tried once when written.</summary>
    public bool Retry { get; set; } = true;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(Smtp.Host))
        {
            if (Smtp.Port is < 1 or > 65535) yield return new ValidationResult("Outbound:Smtp:Port: from 1 to 65535.");
            if (string.IsNullOrWhiteSpace(Smtp.From) || !MailboxAddress.TryParse(Smtp.From, out _))
                yield return new ValidationResult("Outbound:Smtp:From: required, an address such as \"Support <support@example.com>\".");
            if (!string.IsNullOrEmpty(Smtp.UserName) && string.IsNullOrEmpty(Smtp.Password))
                yield return new ValidationResult("Outbound:Smtp:Password: required when a user name is given.");
        }
        foreach (var (channel, target) in Webhooks)
        {
            if (!WebhookChannels.Contains(channel))
                yield return new ValidationResult($"Outbound:Webhooks:{channel}: not a chat or social channel ({string.Join(", ", WebhookChannels)}).");
            else if (!Uri.TryCreate(target.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
                yield return new ValidationResult($"Outbound:Webhooks:{channel}:Url: an absolute http or https address.");
            else if (string.IsNullOrEmpty(target.Secret) || target.Secret.Length < ChannelOptions.MinSecretLength)
                yield return new ValidationResult($"Outbound:Webhooks:{channel}:Secret: at least {ChannelOptions.MinSecretLength} characters.");
        }
    }
}
