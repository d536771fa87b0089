using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using SmartCrm.Mqtt;
using SmartCrm.Mqtt.Client;

namespace SmartCrm.Bench.Mqtt;

/// <summary>
/// Fan-in throughput of our broker beside mosquitto, with the same client and the same load, in one run:
/// <c>dotnet run -c Release --project bench/SmartCrm.Bench -- mqtt [--publishers 8] [--messages 25000] [--payload 64]</c>.
/// Both brokers run as separate processes on loopback; the figure is messages per second from the first PUBLISH to
/// the last message at the subscriber, and messages per second of broker CPU time.
/// </summary>
internal static class BrokerThroughput
{
    private sealed record Figure(string Broker, MqttProtocolVersion Version, QualityOfService Qos, long Messages, double Seconds, double CpuSeconds)
    {
        public double Rate => Messages / Seconds;
        public double RatePerCpu => CpuSeconds > 0 ? Messages / CpuSeconds : double.NaN;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var publishers = Arg(args, "--publishers", 8);
        var perPublisher = Arg(args, "--messages", 25_000);
        var payload = Arg(args, "--payload", 64);
        var mosquitto = Find("mosquitto");
        if (mosquitto is null)
        {
            Console.Error.WriteLine("mosquitto is not installed (apt-get install mosquitto); it is the peer this benchmark compares with.");
            return 2;
        }
        var ourDll = Path.Combine(AppContext.BaseDirectory, "smartcrm.dll");
        var ourPort = FreePort();
        var mosquittoPort = FreePort();
        var config = Path.Combine(Path.GetTempPath(), $"bench-mosquitto-{mosquittoPort}.conf");
        await File.WriteAllTextAsync(config, $"listener {mosquittoPort} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 0\nmax_inflight_messages 100\n");
        using var ours = StartProcess("dotnet", [ourDll, "broker", "--port", ourPort.ToString(CultureInfo.InvariantCulture), "--address", "127.0.0.1", "--allow-anonymous", "--max-queued", "10000000"]);
        using var theirs = StartProcess(mosquitto, ["-c", config]);
        try
        {
            await WaitForPortAsync(ourPort);
            await WaitForPortAsync(mosquittoPort);
            Console.WriteLine($"# MQTT fan-in: {publishers} publishers x {perPublisher:N0} messages of {payload} bytes -> 1 subscriber on bench/#, loopback, {Environment.ProcessorCount} cores");
            Console.WriteLine($"# ours: smartcrm broker (pid {ours.Id}); peer: {mosquitto} (pid {theirs.Id}); same client library for both");
            var figures = new List<Figure>();
            foreach (var version in new[] { MqttProtocolVersion.V311, MqttProtocolVersion.V500 })
            {
                foreach (var qos in new[] { QualityOfService.AtMostOnce, QualityOfService.AtLeastOnce })
                {
                    foreach (var (name, port, process) in new[] { ("smartcrm", ourPort, ours), ("mosquitto", mosquittoPort, theirs) })
                    {
                        await MeasureAsync(name, port, process, version, qos, publishers, Math.Max(1, perPublisher / 10), payload);
                        var figure = await MeasureAsync(name, port, process, version, qos, publishers, perPublisher, payload);
                        figures.Add(figure);
                        Console.WriteLine($"{figure.Broker,-10} MQTT {(figure.Version == MqttProtocolVersion.V500 ? "5.0  " : "3.1.1")} QoS {(int)figure.Qos}: {figure.Rate,12:N0} msg/s  ({figure.Messages:N0} in {figure.Seconds:F2} s; {figure.RatePerCpu,12:N0} msg per broker CPU-second)");
                    }
                }
            }
            Console.WriteLine();
            foreach (var group in figures.GroupBy(f => (f.Version, f.Qos)))
            {
                var o = group.Single(f => f.Broker == "smartcrm");
                var m = group.Single(f => f.Broker == "mosquitto");
                Console.WriteLine($"ratio smartcrm/mosquitto MQTT {(group.Key.Version == MqttProtocolVersion.V500 ? "5.0  " : "3.1.1")} QoS {(int)group.Key.Qos}: throughput {o.Rate / m.Rate:F2}x, per broker CPU-second {o.RatePerCpu / m.RatePerCpu:F2}x");
            }
            return 0;
        }
        finally
        {
            foreach (var p in new[] { ours, theirs })
            {
                if (!p.HasExited) p.Kill(entireProcessTree: true);
                await p.WaitForExitAsync();
            }
            File.Delete(config);
        }
    }

    private static async Task<Figure> MeasureAsync(string name, int port, Process broker, MqttProtocolVersion version, QualityOfService qos, int publishers, int perPublisher, int payloadSize)
    {
        var total = (long)publishers * perPublisher;
        long received = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var id = Guid.NewGuid().ToString("N")[..8];
        await using var subscriber = new MqttClient(new MqttClientOptions { Port = port, ClientId = $"sub-{id}", ProtocolVersion = version, KeepAlive = 60 });
        subscriber.MessageReceived = (_, _) =>
        {
            if (Interlocked.Increment(ref received) == total) done.TrySetResult();
            return ValueTask.CompletedTask;
        };
        await subscriber.ConnectAsync();
        await subscriber.SubscribeAsync($"bench/{id}/#", qos);
        var clients = new List<MqttClient>();
        for (var i = 0; i < publishers; i++)
        {
            var client = new MqttClient(new MqttClientOptions { Port = port, ClientId = $"pub-{id}-{i}", ProtocolVersion = version, KeepAlive = 60 });
            await client.ConnectAsync();
            clients.Add(client);
        }
        var payload = new byte[payloadSize];
        broker.Refresh();
        var cpuBefore = broker.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(clients.Select((client, i) => Task.Run(() => PublishAllAsync(client, $"bench/{id}/device{i}/telemetry", payload, qos, perPublisher))));
        var lastCount = -1L;
        while (!done.Task.IsCompleted)
        {
            // Stop waiting when nothing has arrived for five seconds (a broker that dropped messages).
            var now = Interlocked.Read(ref received);
            if (now == lastCount) break;
            lastCount = now;
            await Task.WhenAny(done.Task, Task.Delay(5000));
        }
        clock.Stop();
        broker.Refresh();
        var cpu = (broker.TotalProcessorTime - cpuBefore).TotalSeconds;
        foreach (var c in clients) await c.DisposeAsync();
        return new Figure(name, version, qos, Interlocked.Read(ref received), clock.Elapsed.TotalSeconds, cpu);
    }

    private static async Task PublishAllAsync(MqttClient client, string topic, byte[] payload, QualityOfService qos, int count)
    {
        if (qos == QualityOfService.AtMostOnce)
        {
            for (var i = 0; i < count; i++) await client.PublishAsync(topic, payload, qos);
            return;
        }
        // Keep a window of acknowledgements outstanding, as a device with a send queue does.
        using var window = new SemaphoreSlim(100);
        var inFlight = new List<Task>(count);
        for (var i = 0; i < count; i++)
        {
            await window.WaitAsync();
            inFlight.Add(client.PublishAsync(topic, payload, qos).ContinueWith(_ => window.Release(), TaskScheduler.Default));
        }
        await Task.WhenAll(inFlight);
    }

    private static int Arg(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static string? Find(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Concat(["/usr/sbin", "/usr/local/sbin"]).Select(f => Path.Combine(f, program)).FirstOrDefault(File.Exists);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Process StartProcess(string file, string[] arguments)
    {
        var info = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        var process = Process.Start(info) ?? throw new InvalidOperationException($"Cannot start {file}");
        // Drain their output so a chatty broker never blocks on a full pipe.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitForPortAsync(int port)
    {
        var deadline = Environment.TickCount64 + 20_000;
        while (true)
        {
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
}
