using System.CommandLine;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Mqtt;
using SmartCrm.Mqtt.Client;
using SmartCrm.Storage;

namespace SmartCrm.Devices;

/// <summary>
/// `smartcrm simulate --devices N --rate R --url mqtt://127.0.0.1:1883`: N devices (sim-0001 ...; created, or reused with a
/// fresh token) publish realistic telemetry over real MQTT at R messages a second in all, QoS 1, with faults on some of them.
/// </summary>
internal static class SimulateCommand
{
    public static Command Create(Func<ParseResult, Func<IServiceProvider, CancellationToken, Task<int>>, CancellationToken, Task<int>> withDatabase, Option[] databaseOptions)
    {
        var devices = new Option<int>("--devices") { Description = "Devices to simulate", DefaultValueFactory = _ => 10 };
        var rate = new Option<double>("--rate") { Description = "Messages a second, all devices together", DefaultValueFactory = _ => 10 };
        var url = new Option<string>("--url") { Description = "The MQTT broker (the one `serve` runs, or an upstream one)", DefaultValueFactory = _ => "mqtt://127.0.0.1:1883" };
        var faults = new Option<double>("--faults") { Description = "Share of devices that develop a fault (0 to 1)", DefaultValueFactory = _ => 0.1 };
        var seconds = new Option<int>("--seconds") { Description = "Stop after this many seconds (0 = until Ctrl+C)", DefaultValueFactory = _ => 0 };
        var customer = new Option<long?>("--customer") { Description = "Owner of new simulated devices (default: spread over the first customers)" };
        var command = new Command("simulate", "Simulate devices that publish telemetry over MQTT") { devices, rate, url, faults, seconds, customer };
        foreach (var option in databaseOptions) command.Options.Add(option);
        devices.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 1 or > 100_000) r.AddError("--devices: 1 to 100000"); });
        rate.Validators.Add(r => { if (r.GetValueOrDefault<double>() is <= 0 or > 1_000_000) r.AddError("--rate: more than 0, at most 1000000"); });
        url.Validators.Add(r =>
        {
            if (!Uri.TryCreate(r.GetValueOrDefault<string>(), UriKind.Absolute, out var u) || u.Scheme is not ("mqtt" or "mqtts")) r.AddError("--url: mqtt://host:port or mqtts://host:port");
        });
        faults.Validators.Add(r => { if (r.GetValueOrDefault<double>() is < 0 or > 1) r.AddError("--faults: between 0 and 1"); });
        command.SetAction((parse, cancellationToken) => withDatabase(parse, async (services, ct) =>
        {
            var fleet = await PrepareAsync(services.GetRequiredService<CrmDb>(), parse.GetValue(devices), parse.GetValue(faults), parse.GetValue(customer), ct);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
            if (parse.GetValue(seconds) is > 0 and var limit) stop.CancelAfter(TimeSpan.FromSeconds(limit));
            return await RunAsync(fleet, new Uri(parse.GetValue(url)!), parse.GetValue(rate), services.GetRequiredService<TimeProvider>(), stop.Token);
        }, cancellationToken));
        return command;
    }

    private sealed record SimulatedDevice(string Name, string Token, DeviceSimulator Simulator);

    private static async Task<List<SimulatedDevice>> PrepareAsync(CrmDb db, int count, double faultShare, long? owner, CancellationToken cancellationToken)
    {
        var owners = owner is { } one ? [one] : await db.Customers.OrderBy(c => c.Id).Select(c => c.Id).Take(count).ToListAsync(cancellationToken);
        var names = Enumerable.Range(1, count).Select(i => $"sim-{i:D4}").ToList();
        var existing = await db.Devices.AsTracking().Where(d => names.Contains(d.Name)).ToDictionaryAsync(d => d.Name, cancellationToken);
        var fleet = new List<SimulatedDevice>();
        var faulty = (int)Math.Round(count * faultShare);
        for (var i = 0; i < count; i++)
        {
            var model = DeviceSimulator.Models[i % DeviceSimulator.Models.Length];
            if (!existing.TryGetValue(names[i], out var device))
            {
                device = new Device { Name = names[i], Model = model, Serial = $"SIM{i + 1:D6}", CustomerId = owners.Count == 0 ? null : owners[i % owners.Count] };
                db.Devices.Add(device);
            }
            // Tokens are stored hashed: a reused device gets a new one, known to this run.
            var token = DeviceToken.New();
            DeviceToken.Assign(device, token);
            var fault = i < faulty ? DeviceSimulator.FaultFor(device.Model ?? model) : SimulatedFault.None;
            fleet.Add(new SimulatedDevice(device.Name, token, new DeviceSimulator(device.Model ?? model, fault, seed: i)));
            existing[device.Name] = device;
        }
        await db.SaveChangesAsync(cancellationToken);
        Console.WriteLine($"{count} simulated devices ready ({existing.Count} in all, {faulty} will develop a fault).");
        return fleet;
    }

    private static async Task<int> RunAsync(List<SimulatedDevice> fleet, Uri url, double rate, TimeProvider time, CancellationToken cancellationToken)
    {
        var clients = new List<MqttClient>(fleet.Count);
        long sent = 0, failed = 0;
        try
        {
            foreach (var device in fleet)
            {
                var client = new MqttClient(new MqttClientOptions
                {
                    Host = url.Host, Port = url.IsDefaultPort || url.Port < 0 ? 1883 : url.Port, UseTls = url.Scheme == "mqtts",
                    ClientId = device.Name, UserName = device.Token, ProtocolVersion = MqttProtocolVersion.V311,
                });
                await client.ConnectAsync(cancellationToken);
                clients.Add(client);
            }
            Console.WriteLine($"{clients.Count} devices connected to {url}; publishing {rate} messages a second. Ctrl+C stops.");
            var interval = TimeSpan.FromSeconds(1 / rate);
            var clock = Stopwatch.StartNew();
            var report = TimeSpan.FromSeconds(5);
            long next = 0;
            var inflight = new List<Task>();
            while (!cancellationToken.IsCancellationRequested)
            {
                var due = interval * next;
                if (due > clock.Elapsed) await Task.Delay(due - clock.Elapsed, cancellationToken).ConfigureAwait(false);
                var index = (int)(next % fleet.Count);
                next++;
                var device = fleet[index];
                inflight.Add(Publish(clients[index], device.Simulator.Next(time.GetUtcNow())));
                if (inflight.Count >= 1000)
                {
                    await Task.WhenAll(inflight);
                    inflight.Clear();
                }
                if (clock.Elapsed > report)
                {
                    Console.WriteLine(FormattableString.Invariant($"{clock.Elapsed.TotalSeconds:0}s: {Interlocked.Read(ref sent)} stored, {Interlocked.Read(ref failed)} refused, {Interlocked.Read(ref sent) / clock.Elapsed.TotalSeconds:0} messages/s"));
                    report += TimeSpan.FromSeconds(5);
                }
            }
            await Task.WhenAll(inflight);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Time is up or Ctrl+C.
        }
        finally
        {
            foreach (var client in clients) await client.DisposeAsync();
        }
        Console.WriteLine($"Done: {sent} messages stored, {failed} refused.");
        return failed == 0 ? 0 : 1;

        async Task Publish(MqttClient client, byte[] payload)
        {
            try
            {
                var code = await client.PublishAsync("v1/devices/me/telemetry", payload, QualityOfService.AtLeastOnce, cancellationToken: cancellationToken);
                Interlocked.Increment(ref code == ReasonCode.Success ? ref sent : ref failed);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Stopped while this one was on its way.
            }
            catch (Exception e) when (e is MqttConnectException or IOException or OperationCanceledException)
            {
                Interlocked.Increment(ref failed);
            }
        }
    }
}
