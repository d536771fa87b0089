using System.Collections.Frozen;
using System.Text;
using Microsoft.AspNetCore.Routing.Patterns;

namespace SmartCrm.Security;

/// <summary>
/// What must never be written to a log in full, and how it is cut: a secret keeps its first four characters (enough to tell
/// two apart in a log, useless for guessing the rest), a short one keeps none.
/// <list type="bullet">
/// <item>Request paths of the device HTTP API carry the access token (ThingsBoard's <c>/api/v1/{token}/telemetry</c>): in
/// any text, <c>api/v1/X</c> whose X is not the literal first segment of one of our API routes has X cut.</item>
/// <item>Structured values named like a credential (Token, Secret, Password, ApiKey), and the MQTT broker's user names,
/// which ThingsBoard-style devices fill with their access token.</item>
/// </list>
/// </summary>
public sealed class LogRedaction
{
    // Without the leading slash: routing logs the path so too ("with value 'api/v1/...'").
    private const string ApiRoot = "api/v1/";
    private static readonly FrozenSet<string> SecretFields = new[] { "Token", "AccessToken", "Secret", "Password", "ApiKey" }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private Func<IEnumerable<EndpointDataSource>>? _routes;
    private FrozenSet<string>? _apiSegments;
    private int _learning;

    /// <summary>Where the API's routes are, read when a path is first redacted (by then every route is mapped).</summary>
    public void LearnRoutesFrom(Func<IEnumerable<EndpointDataSource>> routes) => _routes = routes;

    /// <summary>Whether values of this field of this logger category are secrets whatever their shape.</summary>
    public static bool IsSecretField(string category, string field) =>
        SecretFields.Contains(field) || (field == "User" && category.StartsWith("SmartCrm.Mqtt", StringComparison.Ordinal));

    public static string Cut(string secret) => secret.Length <= 8 ? "…" : string.Concat(secret.AsSpan(0, 4), "…");

    /// <summary>Cuts the token out of every device-API path in <paramref name="text"/>; the same string when there is none.</summary>
    public string RedactPaths(string text)
    {
        var at = text.IndexOf(ApiRoot, StringComparison.Ordinal);
        if (at < 0) return text;
        var known = ApiSegments();
        var result = new StringBuilder(text.Length);
        var copied = 0;
        while (at >= 0)
        {
            var start = at + ApiRoot.Length;
            var end = start;
            while (end < text.Length && !IsSegmentEnd(text[end])) end++;
            var segment = text[start..end];
            if (segment.Length > 0 && (known is null || !known.Contains(segment)))
            {
                result.Append(text, copied, start - copied).Append(Cut(Uri.UnescapeDataString(segment)));
                copied = end;
            }
            at = text.IndexOf(ApiRoot, end, StringComparison.Ordinal);
        }
        return copied == 0 ? text : result.Append(text, copied, text.Length - copied).ToString();
    }

    private static bool IsSegmentEnd(char c) => c is '/' or '?' or '#' or '\'' or '"' or '\\' || char.IsWhiteSpace(c);

    /// <summary>The literal first segments after /api/v1/ of our routes; null while unknown, and then every segment is cut.</summary>
    private FrozenSet<string>? ApiSegments()
    {
        if (_apiSegments is { } known) return known;
        // Building the endpoints may log; those lines are redacted the safe way rather than recursing.
        if (_routes is null || Interlocked.Exchange(ref _learning, 1) == 1) return null;
        try
        {
            var segments = new HashSet<string>(StringComparer.Ordinal);
            foreach (var endpoint in _routes().SelectMany(source => source.Endpoints).OfType<RouteEndpoint>())
            {
                if (endpoint.RoutePattern.PathSegments is [var api, var version, var first, ..]
                    && Literal(api) == "api" && Literal(version) == "v1" && Literal(first) is { } literal)
                {
                    segments.Add(literal);
                }
            }
            return _apiSegments = segments.ToFrozenSet(StringComparer.Ordinal);
        }
        finally
        {
            Volatile.Write(ref _learning, 0);
        }
    }

    private static string? Literal(RoutePatternPathSegment segment) =>
        segment.Parts is [RoutePatternLiteralPart literal] ? literal.Content : null;
}
