using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SmartCrm.Devices;
using SmartCrm.Telemetry;

namespace SmartCrm.Tests.Telemetry;

/// <summary>A device message made of JSON-like pieces: mostly well-formed, with the hostile parts devices and attackers send.</summary>
public sealed record HostilePayload(string Text)
{
    public override string ToString() => Text.Length <= 200 ? Text : Text[..200] + "…";
}

public static class PayloadArbitraries
{
    private static readonly string[] Keys = ["t", "temperature", "ts", "values", "", "a.b", "\\ud800", "\\udc00x", "k\\u0000", "\\u0001", "é", "键", "\\ud83d\\ude00", new string('k', 101)];
    private static readonly string[] Strings = ["", "eco", "\\ud800", "a\\udfffb", "\\u0000", "\\\"", "\\n", "键值", "\\ud83d\\ude00", new string('x', 10_001)];
    private static readonly string[] Numbers = ["0", "-1", "1.5", "1e400", "-1e400", "1767225600000", "99999999999999999999", "-0", "1e-400", "253402300799999", "253402300800000"];
    private static readonly string[] Junk = ["{", "}", "[", "]", ",", ":", "\"", "nul", "tru", "\\", "\u0000", "\ud800", " ", "01", "+1"];

    private static Gen<string> Key() => Gen.Elements(Keys).Select(k => "\"" + k + "\"");

    private static Gen<string> Value(int depth) => depth <= 0
        ? Gen.OneOf(Gen.Elements(Numbers), Gen.Elements(Strings).Select(s => "\"" + s + "\""), Gen.Elements("true", "false", "null"))
        : Gen.Frequency(
            (6, Value(0)),
            (1, Gen.Choose(0, 3).SelectMany(n => Value(depth - 1).ArrayOf(n)).Select(items => "[" + string.Join(",", items) + "]")),
            (1, Object(depth - 1)),
            (1, Gen.Choose(17, 40).Select(n => new string('[', n) + new string(']', n))));

    private static Gen<string> Object(int depth) =>
        Gen.Choose(0, 4).SelectMany(n => Key().Zip(Value(depth)).Select(p => p.Item1 + ":" + p.Item2).ArrayOf(n)).Select(members => "{" + string.Join(",", members) + "}");

    private static Gen<string> Entry() => Gen.OneOf(
        Object(2),
        Gen.Elements(Numbers).Zip(Object(2)).Select(p => $"{{\"ts\":{p.Item1},\"values\":{p.Item2}}}"),
        Value(1).Select(v => $"{{\"ts\":1767225600000,\"values\":{v}}}"));

    private static Gen<string> Message() => Gen.Frequency(
        (4, Entry()),
        (2, Gen.Choose(0, 4).SelectMany(n => Entry().ArrayOf(n)).Select(entries => "[" + string.Join(",", entries) + "]")),
        (1, Value(2)),
        // Truncated or spliced: what a broken serializer or a fuzzer sends.
        (1, Entry().Zip(Gen.Elements(Junk)).Zip(Gen.Choose(0, 100)).Select(t => Splice(t.Item1.Item1, t.Item1.Item2, t.Item2))));

    private static string Splice(string text, string junk, int at) => text[..(at * text.Length / 100)] + junk + text[(at * text.Length / 100)..];

    public static Arbitrary<HostilePayload> Payloads() => Arb.From(Message().Select(text => new HostilePayload(text)));
}

/// <summary>
/// The device payload parser over generated hostile input (issue 10, point 8): it either reads the whole message into points that
/// can be stored as they are, or refuses it with a <see cref="DevicePayloadException"/> naming a place; nothing else escapes.
/// </summary>
[Properties(Arbitrary = [typeof(PayloadArbitraries)], MaxTest = 3000)]
public sealed class TelemetryPayloadPropertyTests
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly TelemetryClock Clock = StartedClock();

    private static TelemetryClock StartedClock()
    {
        var clock = new TelemetryClock(new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)), NullLogger<TelemetryClock>.Instance);
        clock.Start(writer: 7, untilMs: 0);
        return clock;
    }

    [Property]
    public bool Telemetry_is_read_whole_into_storable_points_or_refused_naming_a_place(HostilePayload payload)
    {
        List<TelemetryPoint> points;
        try
        {
            points = TelemetryPayload.Parse(Encoding.UTF8.GetBytes(payload.Text), 42, Clock);
        }
        catch (DevicePayloadException e)
        {
            return e.Place.Length > 0 && e.Problem.Length > 0;
        }
        return points.All(Storable) && points.GroupBy(p => (p.Key, p.Ts, p.Seq)).All(g => g.Count() == 1 || g.All(p => p.Seq == 0));
    }

    [Property]
    public bool Attributes_are_read_whole_into_a_storable_object_or_refused_naming_a_place(HostilePayload payload)
    {
        JsonElement attributes;
        try
        {
            attributes = DevicePayload.ParseAttributes(Encoding.UTF8.GetBytes(payload.Text));
        }
        catch (DevicePayloadException e)
        {
            return e.Place.Length > 0 && e.Problem.Length > 0;
        }
        // What the twin stores must serialise, merge and parse again.
        var merged = DeviceAttributes.Merge("{}", attributes);
        Strict.GetBytes(merged);
        return JsonDocument.Parse(merged).RootElement.ValueKind == JsonValueKind.Object && attributes.EnumerateObject().Count() <= DevicePayload.MaxAttributes;
    }

    [Property(MaxTest = 500)]
    public bool Arbitrary_bytes_never_escape_as_anything_but_a_format_error(byte[] bytes)
    {
        try
        {
            TelemetryPayload.Parse(bytes, 1, Clock);
            DevicePayload.ParseAttributes(bytes);
        }
        catch (DevicePayloadException)
        {
        }
        return true;
    }

    [Fact]
    public void Server_times_are_unique_and_increasing_even_when_the_wall_clock_stands_still_or_goes_back()
    {
        var time = new SettableTime { Now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero) };
        var clock = new TelemetryClock(time, NullLogger<TelemetryClock>.Instance);
        Should.Throw<InvalidOperationException>(() => clock.Next());
        clock.Start(writer: 3, untilMs: time.GetUtcNow().ToUnixTimeMilliseconds() + 5_000);
        var handed = new List<ServerTime>();
        for (var i = 0; i < 1_000; i++)
        {
            handed.Add(clock.Next());
            if (i == 500) time.Now = time.Now.AddMinutes(-10);
        }
        handed.Zip(handed.Skip(1)).ShouldAllBe(p => p.Second.Ts > p.First.Ts || (p.Second.Ts == p.First.Ts && p.Second.Seq > p.First.Seq));
        handed[0].Ts.ShouldBe(time.GetUtcNow().AddMinutes(10).ToUnixTimeMilliseconds() + 5_000, "continues after the stored time it was started from");
        handed.ShouldAllBe(t => t.Seq >> TelemetryClock.CounterBits == 3);
    }

    /// <summary>A wall clock that can be set back, as NTP or a restored VM does.</summary>
    private sealed class SettableTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; }

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static bool Storable(TelemetryPoint point)
    {
        if (point.Key.Length is 0 or > DevicePayload.MaxKeyLength || point.Ts < 0 || point.Ts > TelemetryPayload.MaxTs) return false;
        Strict.GetBytes(point.Key);
        if (point.Text is { } text)
        {
            if (text.Length > DevicePayload.MaxTextLength || text.Contains('\0', StringComparison.Ordinal)) return false;
            Strict.GetBytes(text);
        }
        // What the API answers must serialise.
        JsonSerializer.Serialize(new { point.Key, point.Ts, point.Value });
        return point.Kind != ValueKind.Number || double.IsFinite(point.Number!.Value);
    }
}
