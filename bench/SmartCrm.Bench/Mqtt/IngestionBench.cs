using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Data.Sqlite;
using Npgsql;
using SmartCrm.Devices;

namespace SmartCrm.Bench.Mqtt;

/// <summary>
/// Durable QoS 1 ingestion through `smartcrm serve` beside mosquitto acting only as a broker, with the same clients in the same
/// run (issue 10): N × <c>mosquitto_pub -q 1 -l</c>, each sending M lines <c>{"seq":i}</c> without "ts" as one device, and the
/// time until every client has all its messages acknowledged. On serve, acknowledged means stored: after each round the bench
/// counts the stored readings and fails unless every message is there.
/// <code>
/// dotnet run -c Release --project bench/SmartCrm.Bench -- ingest [--clients 4] [--messages 50000] [--rounds 5]
///     [--database "Host=...;Username=...;Password=...;Database=postgres"] [--server path/to/smartcrm.dll] [--with-ts]
/// </code>
/// `--with-ts` sends <c>{"ts":…,"values":{"seq":i}}</c> with a time of its own for every message instead: builds from before
/// server times were unique per reading kept only one reading per millisecond, so this is how their throughput is compared.
/// Rounds alternate which side goes first (the machine is shared: noise moves both); the figure is the ratio of the two rates
/// in each round, with its median and spread. `--server` runs another build of smartcrm (the code before a change).
/// </summary>
internal static class IngestionBench
{
    private sealed record Round(string Side, int Number, double Seconds, long Messages, double ServerCpuSeconds)
    {
        public double Rate => Messages / Seconds;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var clients = Arg(args, "--clients", 4);
        var messages = Arg(args, "--messages", 50_000);
        var rounds = Arg(args, "--rounds", 5);
        var database = Text(args, "--database");
        var server = Text(args, "--server") ?? Path.Combine(AppContext.BaseDirectory, "smartcrm.dll");
        var withTs = Array.IndexOf(args, "--with-ts") >= 0;
        var mosquitto = Find("mosquitto");
        var publisher = Find("mosquitto_pub");
        if (mosquitto is null || publisher is null)
        {
            await Console.Error.WriteLineAsync("mosquitto and mosquitto_pub are needed (apt-get install mosquitto mosquitto-clients).");
            return 2;
        }

        var data = Directory.CreateTempSubdirectory("bench-ingest-").FullName;
        string? postgresName = null;
        if (database is not null)
        {
            postgresName = "bench_ingest_" + Guid.NewGuid().ToString("N")[..8];
            await using var admin = new NpgsqlConnection(database);
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {postgresName}", admin);
            await create.ExecuteNonQueryAsync();
            database = new NpgsqlConnectionStringBuilder(database) { Database = postgresName }.ConnectionString;
        }
        var crmMqtt = FreePort();
        var crmHttp = FreePort();
        var brokerPort = FreePort();
        var config = Path.Combine(data, "mosquitto.conf");
        await File.WriteAllTextAsync(config, $"listener {brokerPort} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest none\n");
        var serveArgs = new List<string> { server, "serve", "--data", data, "--urls", $"http://127.0.0.1:{crmHttp}", "--mqtt-port", crmMqtt.ToString(CultureInfo.InvariantCulture) };
        if (database is not null) serveArgs.AddRange(["--database", database]);
        using var crm = StartProcess("dotnet", serveArgs, new Dictionary<string, string> { ["SMARTCRM_ADMIN_PASSWORD"] = "bench-admin-password", ["Logging__LogLevel__Default"] = "Warning" });
        using var broker = StartProcess(mosquitto, ["-c", config], []);
        try
        {
            await WaitForPortAsync(crmMqtt, crm);
            await WaitForPortAsync(brokerPort, broker);
            var tokens = await CreateDevicesAsync(data, database, clients);
            // With times of their own, each round needs times no earlier round used (a repeated time is an update, not a new reading).
            var epoch = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (long)(rounds + 2) * messages;
            byte[] Input(int round) => Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, messages).Select(i => withTs
                ? $"{{\"ts\":{epoch + (long)round * messages + i},\"values\":{{\"seq\":{i}}}}}\n"
                : $"{{\"seq\":{i}}}\n")));
            var input = Input(0);
            Console.WriteLine($"# ingest: {clients} x mosquitto_pub -q 1 -l, {messages:N0} messages {(withTs ? "{\"ts\":…,\"values\":{\"seq\":i}}" : "{\"seq\":i} (no ts)")} each, loopback, {Environment.ProcessorCount} cores; " +
                $"serve on {(database is null ? "SQLite" : "PostgreSQL")} ({Path.GetFileName(Path.GetDirectoryName(server))}/{Path.GetFileName(server)}) vs mosquitto {MosquittoVersion(mosquitto)}");

            // A warm-up of each side, not counted: JIT tiering of serve's hot path took most of the first round otherwise.
            await PublishAsync(publisher, crmMqtt, tokens, input[..(Array.LastIndexOf(input, (byte)'\n', Math.Min(input.Length, 20_000 * 12) - 1) + 1)]);
            await PublishAsync(publisher, brokerPort, tokens, input[..(Array.LastIndexOf(input, (byte)'\n', 999) + 1)]);
            var stored = await CountAsync(data, database);

            var results = new List<Round>();
            var lost = false;
            for (var round = 1; round <= rounds; round++)
            {
                var order = round % 2 == 1 ? new[] { "serve", "mosquitto" } : ["mosquitto", "serve"];
                foreach (var side in order)
                {
                    var process = side == "serve" ? crm : broker;
                    process.Refresh();
                    var cpu = process.TotalProcessorTime;
                    var seconds = await PublishAsync(publisher, side == "serve" ? crmMqtt : brokerPort, tokens, withTs && side == "serve" ? Input(round) : input);
                    process.Refresh();
                    var figure = new Round(side, round, seconds, (long)clients * messages, (process.TotalProcessorTime - cpu).TotalSeconds);
                    if (side == "serve")
                    {
                        var now = await CountAsync(data, database);
                        if (now - stored != figure.Messages)
                        {
                            // Reported, and the run fails at the end; the throughput is still printed (for the code before the fix).
                            Console.WriteLine($"LOST: round {round}: {figure.Messages:N0} acknowledged, {now - stored:N0} stored");
                            lost = true;
                        }
                        stored = now;
                    }
                    results.Add(figure);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"round {round} {side,-9} {figure.Rate,9:N0} msg/s  ({figure.Messages:N0} in {figure.Seconds:F2} s; server CPU {figure.ServerCpuSeconds:F2} s = {figure.ServerCpuSeconds / figure.Seconds * 100:F0}% of a core{(side == "serve" && !lost ? "; all stored" : "")})"));
                }
            }
            var ratios = results.GroupBy(r => r.Number).Select(g => g.Single(r => r.Side == "serve").Rate / g.Single(r => r.Side == "mosquitto").Rate).Order().ToList();
            var cpuRatios = results.GroupBy(r => r.Number)
                .Select(g => g.Single(r => r.Side == "serve").ServerCpuSeconds / Math.Max(1e-9, g.Single(r => r.Side == "mosquitto").ServerCpuSeconds)).Order().ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ratio serve/mosquitto throughput: median {ratios[ratios.Count / 2]:F2}x, min {ratios[0]:F2}x, max {ratios[^1]:F2}x over {ratios.Count} rounds ({string.Join(" ", ratios.Select(r => r.ToString("F2", CultureInfo.InvariantCulture)))})"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ratio serve/mosquitto server CPU per message: median {cpuRatios[cpuRatios.Count / 2]:F1}x"));
            return lost ? 1 : 0;
        }
        finally
        {
            foreach (var p in new[] { crm, broker })
            {
                if (!p.HasExited) p.Kill(entireProcessTree: true);
                await p.WaitForExitAsync();
            }
            NpgsqlConnection.ClearAllPools();
            SqliteConnection.ClearAllPools();
            if (postgresName is not null)
            {
                await using var admin = new NpgsqlConnection(Text(args, "--database"));
                await admin.OpenAsync();
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {postgresName} WITH (FORCE)", admin);
                await drop.ExecuteNonQueryAsync();
            }
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>Runs one mosquitto_pub per token with <paramref name="input"/> on its standard input; the seconds until all are done.</summary>
    private static async Task<double> PublishAsync(string publisher, int port, string[] tokens, byte[] input)
    {
        var clock = Stopwatch.StartNew();
        var processes = tokens.Select((token, i) => StartProcess(publisher,
            ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-u", token, "-i", $"bench-{i}-{Guid.NewGuid().ToString("N")[..6]}",
             "-q", "1", "-t", "v1/devices/me/telemetry", "-l"], [], stdin: true)).ToList();
        await Task.WhenAll(processes.Select(async p =>
        {
            await p.StandardInput.BaseStream.WriteAsync(input);
            p.StandardInput.Close();
            await p.WaitForExitAsync();
        }));
        var seconds = clock.Elapsed.TotalSeconds;
        foreach (var p in processes)
        {
            if (p.ExitCode != 0) throw new InvalidOperationException($"mosquitto_pub exited with {p.ExitCode} on port {port}");
            p.Dispose();
        }
        return seconds;
    }

    /// <summary>One device per client, straight into the table serve created (the same columns before and after this change).</summary>
    private static async Task<string[]> CreateDevicesAsync(string data, string? database, int count)
    {
        var tokens = Enumerable.Range(0, count).Select(_ => DeviceToken.New()).ToArray();
        await using var connection = await OpenAsync(data, database);
        foreach (var (token, i) in tokens.Select((t, i) => (t, i)))
        {
            await using var insert = connection.CreateCommand();
            insert.CommandText = """
                INSERT INTO devices ("Name", "Model", "TokenHash", "TokenPrefix", "ClientAttributes", "SharedAttributes", "ServerAttributes",
                    "Online", "InactivityTimeoutSeconds", "CreatedAt", "UpdatedAt")
                VALUES (@name, 'TH-100', @hash, @prefix, '{}', '{}', '{}', @online, 600, @at, @at)
                """;
            Add(insert, "@name", $"bench-{i}");
            Add(insert, "@hash", DeviceToken.Hash(token));
            Add(insert, "@prefix", token[..6]);
            Add(insert, "@online", false);
            Add(insert, "@at", DateTime.UtcNow);
            await insert.ExecuteNonQueryAsync();
        }
        return tokens;
    }

    private static async Task<long> CountAsync(string data, string? database)
    {
        await using var connection = await OpenAsync(data, database);
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT count(*) FROM telemetry";
        return Convert.ToInt64(await count.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private static async Task<DbConnection> OpenAsync(string data, string? database)
    {
        DbConnection connection = database is null
            ? new SqliteConnection($"Data Source={Path.Combine(data, "smartcrm.db")};Default Timeout=30")
            : new NpgsqlConnection(database);
        await connection.OpenAsync();
        return connection;
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    private static string MosquittoVersion(string mosquitto)
    {
        using var p = StartProcess(mosquitto, ["-h"], [], drain: false);
        var text = p.StandardOutput.ReadLine() ?? "";
        p.WaitForExit(5000);
        return text.Split(' ').FirstOrDefault(w => w.Length > 0 && char.IsDigit(w[0])) ?? "";
    }

    private static Process StartProcess(string file, IEnumerable<string> arguments, Dictionary<string, string> environment, bool stdin = false, bool drain = true)
    {
        var info = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        foreach (var (k, v) in environment) info.Environment[k] = v;
        var process = Process.Start(info) ?? throw new InvalidOperationException($"Cannot start {file}");
        if (drain)
        {
            // Drain output so a chatty process never blocks on a full pipe.
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }
        return process;
    }

    private static async Task WaitForPortAsync(int port, Process owner)
    {
        var deadline = Environment.TickCount64 + 60_000;
        while (true)
        {
            if (owner.HasExited) throw new InvalidOperationException($"{owner.StartInfo.FileName} exited with {owner.ExitCode} before listening on {port}");
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (Environment.TickCount64 < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    private static int Arg(string[] args, string name, int fallback) =>
        Text(args, name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    private static string? Text(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    private static string? Find(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Concat(["/usr/sbin", "/usr/local/sbin"]).Select(f => Path.Combine(f, program)).FirstOrDefault(File.Exists);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
