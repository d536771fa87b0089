using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace SmartCrm.Service;

/// <summary>
/// Checks an inbound webhook: `X-SmartCrm-Timestamp` (Unix seconds) within the tolerance of the server's clock, and
/// `X-SmartCrm-Signature: sha256=` + hex HMAC-SHA256 of `{timestamp}.{body}` with the channel's secret. A signature is
/// accepted once: a replay inside the tolerance is refused here, one outside it by its timestamp. (The remembered signatures
/// are this node's; across nodes a message's externalId keeps it from being stored twice.)
/// </summary>
public sealed class SignedWebhooks(IOptions<ChannelOptions> options, TimeProvider clock)
{
    public const string TimestampHeader = "X-SmartCrm-Timestamp";
    public const string SignatureHeader = "X-SmartCrm-Signature";

    private readonly ConcurrentDictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);

    public bool Enabled(string channel) => options.Value.Secrets.TryGetValue(channel, out var secret) && !string.IsNullOrEmpty(secret);

    /// <summary>Null when the request is signed, fresh and new; otherwise why it is refused (no secret material in the reason).</summary>
    public string? Refusal(string channel, string? timestamp, string? signature, ReadOnlySpan<byte> body)
    {
        if (!options.Value.Secrets.TryGetValue(channel, out var secret)) return "The channel is not enabled.";
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > 100_000_000_000)
            return $"{TimestampHeader} is missing or not Unix seconds.";
        var now = clock.GetUtcNow();
        var tolerance = TimeSpan.FromSeconds(options.Value.ToleranceSeconds);
        if ((now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > tolerance) return $"{TimestampHeader} is outside the accepted window.";
        if (signature is null || !signature.StartsWith("sha256=", StringComparison.Ordinal) || signature.Length != 7 + 64) return $"{SignatureHeader} is missing or malformed.";
        var expected = Sign(secret, timestamp!, body);
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature.ToLowerInvariant())))
            return $"{SignatureHeader} does not match the body.";
        Forget(now);
        return _seen.TryAdd(signature.ToLowerInvariant(), now + tolerance) ? null : "This request was already received (replay).";
    }

    /// <summary>The signature header's value for <paramref name="body"/> sent at <paramref name="timestamp"/> (senders and tests).</summary>
    public static string Sign(string secret, string timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(timestamp + ".");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message));
    }

    private void Forget(DateTimeOffset now)
    {
        // Signatures past the window can no longer pass the timestamp check; dropping them keeps the memory bounded.
        if (_seen.Count < 1024) return;
        foreach (var (key, until) in _seen)
        {
            if (until < now) _seen.TryRemove(key, out _);
        }
    }
}
