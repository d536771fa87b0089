using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace SmartCrm.Bench.Load;

/// <summary>
/// HTTP load on a running `smartcrm serve` over loopback: N concurrent clients, each sending its next request as soon as the
/// last one answers (closed loop), for a fixed time. Scenarios: `search` (customer search by a name or email prefix),
/// `360` (the customer 360 endpoint for random customers), `360page` (the console's 360 page for them: the key signs the page
/// request in as it does an API call), `health` (the cheapest endpoint: the server's ceiling on this
/// machine, the peer the others are read against).
///
///     dotnet run -c Release --project bench/SmartCrm.Bench -- load --url http://127.0.0.1:5080 --key KEY --scenario search --clients 64 --seconds 30
/// </summary>
internal static class LoadCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = Parse(args);
        if (options is null)
        {
            await Console.Error.WriteLineAsync("usage: load --url URL --key API_KEY [--scenario search|360|360page|health] [--clients 64] [--seconds 30] [--warmup 5]");
            return 2;
        }
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = options.Clients, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
        using var http = new HttpClient(handler) { BaseAddress = new Uri(options.Url), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.Key);

        var targets = await TargetsAsync(http, options.Scenario);
        Console.WriteLine($"load scenario={options.Scenario} clients={options.Clients} seconds={options.Seconds} targets={targets.Length}");

        await RunPhaseAsync(http, targets, options.Clients, TimeSpan.FromSeconds(options.Warmup), record: false);
        var (latencies, errors, elapsed) = await RunPhaseAsync(http, targets, options.Clients, TimeSpan.FromSeconds(options.Seconds), record: true);

        latencies.Sort();
        double Percentile(double p) => latencies.Count == 0 ? double.NaN : latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(p * latencies.Count) - 1)];
        var line = string.Create(CultureInfo.InvariantCulture,
            $"load scenario={options.Scenario} clients={options.Clients} requests={latencies.Count} errors={errors} rps={latencies.Count / elapsed.TotalSeconds:F0} " +
            $"p50_ms={Percentile(0.50):F2} p90_ms={Percentile(0.90):F2} p99_ms={Percentile(0.99):F2} max_ms={latencies.LastOrDefault():F2}");
        Console.WriteLine(line);
        return errors == 0 ? 0 : 1;
    }

    private static async Task<(List<double> Latencies, int Errors, TimeSpan Elapsed)> RunPhaseAsync(
        HttpClient http, string[] targets, int clients, TimeSpan duration, bool record)
    {
        var perClient = new List<double>[clients];
        var errors = 0;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var mine = perClient[c] = new List<double>(1 << 16);
            var random = new Random(c);
            while (clock.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await http.GetAsync(targets[random.Next(targets.Length)], HttpCompletionOption.ResponseContentRead);
                var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (!response.IsSuccessStatusCode) Interlocked.Increment(ref errors);
                else if (record) mine.Add(ms);
            }
        })).ToArray();
        await Task.WhenAll(workers);
        var elapsed = clock.Elapsed;
        return ([.. perClient.SelectMany(l => l)], errors, elapsed);
    }

    /// <summary>Request paths drawn from the data itself: real customer ids, prefixes of real names and emails.</summary>
    private static async Task<string[]> TargetsAsync(HttpClient http, string scenario)
    {
        if (scenario == "health") return ["/healthz"];
        var first = await http.GetFromJsonAsync<JsonElement>("/api/v1/customers?pageSize=1&sort=-id");
        var total = first.GetProperty("total").GetInt32();
        var maxId = first.GetProperty("items")[0].GetProperty("id").GetInt64();
        var random = new Random(42);
        var targets = new List<string>();
        if (scenario is "360" or "360page")
        {
            var path = scenario == "360" ? "/api/v1/customers/{0}/360" : "/customers/{0}";
            for (var i = 0; i < 5_000; i++) targets.Add(string.Format(CultureInfo.InvariantCulture, path, random.NextInt64(1, maxId + 1)));
            return [.. targets];
        }
        // Search: names, name prefixes and email prefixes taken from a sample of pages, as people type them.
        for (var i = 0; i < 40; i++)
        {
            var page = random.Next(1, Math.Max(2, total / 100));
            var sample = await http.GetFromJsonAsync<JsonElement>($"/api/v1/customers?pageSize=100&page={page}");
            foreach (var customer in sample.GetProperty("items").EnumerateArray())
            {
                var name = customer.GetProperty("name").GetString()!;
                var word = name.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1].Trim(',', '.');
                var term = random.Next(3) switch
                {
                    0 => word[..Math.Min(word.Length, 4)],
                    1 => name,
                    _ => customer.GetProperty("email").GetString() ?? word,
                };
                targets.Add($"/api/v1/customers?q={Uri.EscapeDataString(term)}&pageSize=25");
            }
        }
        return [.. targets];
    }

    private sealed record Options(string Url, string Key, string Scenario, int Clients, int Seconds, int Warmup);

    private static Options? Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) return null;
            values[args[i][2..]] = args[i + 1];
        }
        if (!values.TryGetValue("url", out var url) || !values.TryGetValue("key", out var key)) return null;
        var scenario = values.GetValueOrDefault("scenario", "search");
        if (scenario is not ("search" or "360" or "360page" or "health")) return null;
        return new Options(url, key, scenario,
            int.Parse(values.GetValueOrDefault("clients", "64"), CultureInfo.InvariantCulture),
            int.Parse(values.GetValueOrDefault("seconds", "30"), CultureInfo.InvariantCulture),
            int.Parse(values.GetValueOrDefault("warmup", "5"), CultureInfo.InvariantCulture));
    }
}
