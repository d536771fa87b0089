using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace SmartCrm.Service;

/// <summary>
/// Replies on chat and social channels, posted as JSON to the channel's webhook and signed like the inbound ones
/// (<see cref="SignedWebhooks"/>: `X-SmartCrm-Timestamp`, `X-SmartCrm-Signature: sha256=` HMAC of `{timestamp}.{body}`), with
/// `X-SmartCrm-Delivery` the same on every retry so the receiver can drop a repeat. Anything but a 2xx answer is a failure.
/// </summary>
public sealed class WebhookAdapter(IOptions<OutboundOptions> options, IHttpClientFactory clients, TimeProvider clock) : IChannelAdapter
{
    public const string HttpClientName = "channel-webhooks";
    public const string DeliveryHeader = "X-SmartCrm-Delivery";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public bool Serves(string channel) => options.Value.Webhooks.TryGetValue(channel, out var target) && !string.IsNullOrEmpty(target.Url);

    public async Task SendAsync(OutboundMessage message, CancellationToken cancellationToken)
    {
        var target = options.Value.Webhooks[message.Channel];
        var body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            channel = message.Channel, to = message.Recipient, subject = message.Subject, text = message.Body,
            ticketId = message.TicketId, messageId = message.TicketMessageId,
        }, Json);
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, target.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add(SignedWebhooks.TimestampHeader, timestamp);
        request.Headers.Add(SignedWebhooks.SignatureHeader, SignedWebhooks.Sign(target.Secret!, timestamp, body));
        request.Headers.Add(DeliveryHeader, $"outbound-{message.Id}");
        using var response = await clients.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"The {message.Channel} webhook answered {(int)response.StatusCode} {response.ReasonPhrase}.", null, response.StatusCode);
    }
}
