using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Records;

/// <summary>
/// Every JSON body endpoint and every list of the API, found from the app's own endpoints (a new endpoint is covered without
/// being named here), gets malformed and hostile input: the answer is a 4xx, never a 5xx, and the server stays healthy.
/// The device HTTP API (paths with a {token}) reads its bodies itself and is covered by the telemetry tests.
/// </summary>
public sealed class HostileInputTests(Apps apps) : IClassFixture<Apps>
{
    private const long Missing = 987_654_321;
    private static readonly string Megabyte = new('x', 1 << 20);

    private sealed record Target(string Method, string Path, Type? Body, bool Json);

    private static List<Target> Targets(CrmApp app)
    {
        app.CreateClient().Dispose();
        var targets = new List<Target>();
        foreach (var endpoint in app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = endpoint.RoutePattern;
            if (pattern.Parameters.Any(p => p.Name == "token")) continue;
            var path = "/" + string.Join('/', pattern.PathSegments.Select(s => string.Concat(s.Parts.Select(part => part switch
            {
                RoutePatternLiteralPart literal => literal.Content,
                RoutePatternSeparatorPart separator => separator.Content,
                RoutePatternParameterPart => Missing.ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ => "",
            }))));
            if (!path.StartsWith("/api/v1/", StringComparison.Ordinal)) continue;
            var accepts = endpoint.Metadata.GetMetadata<IAcceptsMetadata>();
            var json = accepts is null || accepts.ContentTypes.Any(c => c.Contains("json", StringComparison.Ordinal));
            foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [])
                targets.Add(new Target(method, path, accepts?.RequestType, json));
        }
        targets.Count(t => t.Method == "POST").ShouldBeGreaterThan(20, "the endpoints were found");
        return targets;
    }

    private static string Name(PropertyInfo property) => JsonNamingPolicy.CamelCase.ConvertName(property.Name);

    private static IEnumerable<PropertyInfo> Fields(Type? type) =>
        type is null || type == typeof(JsonElement) ? [] : type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.GetCustomAttribute<System.Text.Json.Serialization.JsonIgnoreAttribute>() is null); // a request cannot set those

    private static Type Element(Type type) => Nullable.GetUnderlyingType(type) ?? type;

    private static bool IsStrings(Type type) => type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type) && type.IsGenericType && type.GetGenericArguments()[0] == typeof(string);

    /// <summary>Bodies that break JSON itself or its limits, the same for every endpoint.</summary>
    private static readonly string[] Malformed =
    [
        "", "{", "}", "[", "null", "[]", "0", "\"\\ud800\"", "1e400", "{\"a\":}", "{\"a\" 1}", "{,}", "{\"\\u0000\":1}", "\u0000",
        new string('[', 100_000), string.Concat(Enumerable.Repeat("{\"a\":", 10_000)) + "1" + new string('}', 10_000),
        "{\"" + Megabyte + "\":1}", "{" + string.Join(',', Enumerable.Range(0, 20_000).Select(i => $"\"k{i}\":{i}")) + "}",
    ];

    /// <summary>Values that each field of a body gets in turn: wrong types, numbers out of every range, hostile strings and JSON.</summary>
    private static readonly string[] Values =
    [
        "\"\\udc00\\ud800\"", "{}", "[]", "1e400", "99999999999999999999999", "-1", "\"9999-12-31T23:59:59.9999999+14:00\"", "[\"\\ud800\", null, {}]",
        "{\"\\ud800\":\"\\u0000\"}", "{\"k\":" + new string('[', 1000) + new string(']', 1000) + "}",
    ];

    /// <summary>Huge values, sent only to the fields they fit (a megabyte string to strings, a hundred thousand items to collections).</summary>
    private static readonly string[] HugeCollections =
    [
        "[" + string.Join(',', Enumerable.Repeat("\"x\"", 100_000)) + "]", "[" + string.Join(',', Enumerable.Repeat(JsonSerializer.Serialize(new string('y', 100_000)), 5)) + "]",
        "[" + string.Join(',', Enumerable.Repeat("{}", 100_000)) + "]",
    ];

    private static Gen<string> RandomJson(IReadOnlyList<string> names)
    {
        var leaf = Gen.Elements("null", "true", "false", "0", "-1", "1e308", "1e400", "0.5", "2147483648", "\"\"", "\"x\"", "\"\\ud800\"", "\"\\u0000\"",
            "\"\\udc00x\"", "\"Lead\"", "\"Person\"", "\"2024-02-30\"", "\"2024-01-01T00:00:00Z\"", JsonSerializer.Serialize(new string('a', 9000)));
        var key = Gen.Elements([.. names, "x", "\\ud800", "", "$type", "__proto__"]);
        Gen<string> Value(int depth) => depth <= 0 ? leaf : Gen.OneOf(leaf, leaf,
            Gen.ArrayOf(Value(depth - 1)).Select(items => "[" + string.Join(',', items) + "]"),
            Gen.ArrayOf(key.Zip(Value(depth - 1))).Select(pairs => "{" + string.Join(',', pairs.Select(p => $"\"{p.Item1}\":{p.Item2}")) + "}"));
        return Gen.ArrayOf(key.Zip(Value(3))).Select(pairs => "{" + string.Join(',', pairs.Select(p => $"\"{p.Item1}\":{p.Item2}")) + "}");
    }

    private static async Task<(int Status, string Body)> SendAsync(HttpClient client, string method, string path, string? json)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await client.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Every_json_body_endpoint_answers_hostile_bodies_with_4xx_and_names_the_bad_field(Provider provider)
    {
        var app = apps.For(provider);
        var client = app.Admin();
        var failures = new List<string>();
        var sent = 0;
        foreach (var target in Targets(app).Where(t => t.Method is "POST" or "PUT" or "PATCH" && t.Json))
        {
            var names = Fields(target.Body).Select(Name).ToList();
            var bodies = new List<string>(Malformed);
            foreach (var property in Fields(target.Body))
            {
                var type = Element(property.PropertyType);
                var huge = type == typeof(string) ? [JsonSerializer.Serialize(Megabyte)] : type != typeof(JsonElement) && typeof(IEnumerable).IsAssignableFrom(type) ? HugeCollections : [];
                foreach (var value in Values.Concat(huge)) bodies.Add($"{{\"{Name(property)}\":{value}}}");
            }
            bodies.AddRange(RandomJson(names).Sample(8, 8));
            foreach (var body in bodies)
            {
                var (status, answer) = await SendAsync(client, target.Method, target.Path, body);
                sent++;
                if (status >= 500) failures.Add($"{target.Method} {target.Path} {Cut(body)} → {status} {Cut(answer)}");
            }
            foreach (var property in Fields(target.Body))
            {
                var type = Element(property.PropertyType);
                var name = Name(property);
                var cases = type == typeof(string) ? new[] { ("\"\\ud800\"", name), ("\"a\\u0000b\"", name), (JsonSerializer.Serialize(Megabyte), name) }
                    : IsStrings(type) ? [("[\"ok\",\"\\ud800\"]", name + "[1]"), ($"[\"ok\",{JsonSerializer.Serialize(Megabyte)}]", name + "[1]")]
                    : type == typeof(JsonElement) ? [("{\"k\":\"\\ud800\"}", name + ".k"), ("{\"k\":\"\\u0000\"}", name + ".k")]
                    : [];
                foreach (var (value, field) in cases)
                {
                    var (status, answer) = await SendAsync(client, target.Method, target.Path, $"{{\"{name}\":{value}}}");
                    if (status != 400 || !Names(answer, field)) failures.Add($"{target.Method} {target.Path} {name}={Cut(value)} → {status}, expected 400 naming {field}: {Cut(answer)}");
                }
            }
        }
        (await app.CreateClient().GetAsync("/healthz")).StatusCode.ShouldBe(HttpStatusCode.OK);
        failures.ShouldBeEmpty($"{failures.Count} of {sent} requests:\n{string.Join('\n', failures.Take(60))}");
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Every_list_and_query_parameter_answers_hostile_values_with_2xx_or_4xx(Provider provider)
    {
        var app = apps.For(provider);
        var client = app.Admin();
        var hostile = new[]
        {
            "%00", "a%00b", "%01", "%ED%A0%80", "%27%27", "*", "!!!", "%3A*", "NEAR(a%20b)", "a%20%26%20!%20b", "2147483648", new string('q', 5000),
        };
        var failures = new List<string>();
        var sent = 0;
        // The live view is a stream that stays open by design.
        foreach (var target in Targets(app).Where(t => t.Method == "GET" && !t.Path.EndsWith("/live", StringComparison.Ordinal)))
        {
            var queries = new List<string>();
            if (target.Path.Contains(Missing.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal))
            {
                // A single record: its query string is checked as every other's, a few values show it.
                queries.AddRange(["q=%00", "x=%ED%A0%80", "sort=%01", "page=2147483647&pageSize=500", new string('k', 200) + "=1"]);
            }
            else foreach (var value in hostile)
            {
                queries.Add("q=" + value);
                queries.Add("sort=" + value);
                queries.Add("page=" + value);
                queries.Add("name=" + value);
                queries.Add(value + "=1");
            }
            queries.AddRange(["page=2147483647&pageSize=500", "page=4294967&pageSize=500", "page=0", "pageSize=0", "pageSize=100000", "sort=-&q=a", "q=a&page=2147483647"]);
            foreach (var query in queries)
            {
                var (status, answer) = await SendAsync(client, "GET", target.Path + "?" + query, null);
                sent++;
                if (status >= 500) failures.Add($"GET {target.Path}?{Cut(query)} → {status} {Cut(answer)}");
            }
        }
        (await app.CreateClient().GetAsync("/healthz")).StatusCode.ShouldBe(HttpStatusCode.OK);
        failures.ShouldBeEmpty($"{failures.Count} of {sent} requests:\n{string.Join('\n', failures.Take(60))}");
    }

    [Fact]
    public void Every_string_and_collection_of_every_json_body_is_bounded()
    {
        var unbounded = new List<string>();
        var seen = new HashSet<Type>();
        void Check(Type type, string path)
        {
            if (!seen.Add(type)) return;
            foreach (var property in Fields(type))
            {
                var propertyType = Element(property.PropertyType);
                var where = $"{path}.{property.Name}";
                var attributes = property.GetCustomAttributes(true);
                if (propertyType == typeof(string) && !attributes.Any(a => a is MaxLengthAttribute or StringLengthAttribute)) unbounded.Add(where);
                if (propertyType != typeof(string) && typeof(IEnumerable).IsAssignableFrom(propertyType))
                {
                    if (!attributes.OfType<MaxLengthAttribute>().Any()) unbounded.Add(where + " (count)");
                    if (IsStrings(propertyType) && !attributes.OfType<SmartCrm.Records.EachMaxLengthAttribute>().Any()) unbounded.Add(where + " (each)");
                    if (propertyType.IsGenericType && propertyType.GetGenericArguments()[0] is { IsClass: true } item && item != typeof(string)) Check(item, where);
                }
            }
        }
        foreach (var target in Targets(apps.For(Provider.Sqlite)).Where(t => t.Body is not null)) Check(target.Body!, target.Body!.Name);
        seen.Count.ShouldBeGreaterThan(10);
        unbounded.ShouldBeEmpty();
    }

    private static bool Names(string problem, string field)
    {
        try
        {
            using var document = JsonDocument.Parse(problem);
            return document.RootElement.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out _);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string Cut(string text) => text.Length <= 120 ? text : text[..120] + $"…({text.Length:N0} chars)";
}
