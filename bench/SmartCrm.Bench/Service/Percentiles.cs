using System.Globalization;

namespace SmartCrm.Bench.Service;

/// <summary>Latencies in milliseconds and their percentiles, printed as `bench NAME p50_ms=… p99_ms=… target_ms=… pass=…`.</summary>
internal sealed class Percentiles(string name)
{
    private readonly List<double> _milliseconds = [];

    public string Name { get; } = name;

    public void Add(TimeSpan elapsed) => _milliseconds.Add(elapsed.TotalMilliseconds);

    public double this[double p]
    {
        get
        {
            var sorted = _milliseconds.Order().ToList();
            return sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
        }
    }

    public string Line(double? targetMs = null, string extra = "")
    {
        var line = string.Create(CultureInfo.InvariantCulture, $"bench {Name} n={_milliseconds.Count} p50_ms={this[0.5]:F3} p99_ms={this[0.99]:F3} max_ms={this[1]:F3}");
        if (targetMs is { } t) line += string.Create(CultureInfo.InvariantCulture, $" target_p99_ms={t} pass={(this[0.99] < t ? "yes" : "NO")}");
        return extra.Length > 0 ? line + " " + extra : line;
    }
}
