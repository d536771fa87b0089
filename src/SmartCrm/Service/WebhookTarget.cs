namespace SmartCrm.Service;

/// <summary>Where replies on a chat or social channel are posted (`Outbound:Webhooks:{channel}`), signed with the secret.</summary>
public sealed class WebhookTarget
{
    public string? Url { get; set; }
    public string? Secret { get; set; }
}
