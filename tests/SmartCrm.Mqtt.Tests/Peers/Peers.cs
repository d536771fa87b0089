using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SmartCrm.Mqtt.Tests.Peers;

/// <summary>
/// Third-party MQTT programs installed on the machine (Debian's mosquitto, mosquitto-clients, python3-paho-mqtt).
/// In CI (CI=true) they are required: a missing one fails the test. Elsewhere the tests skip with a message.
/// </summary>
internal static class Peers
{
    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    private static readonly string[] ExtraFolders = ["/usr/sbin", "/usr/local/sbin", "/usr/bin", "/usr/local/bin"];

    public static string? Find(string program)
    {
        var folders = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Concat(ExtraFolders);
        return folders.Select(f => Path.Combine(f, program)).FirstOrDefault(File.Exists);
    }

    public static string Python => File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : Find("python3") ?? "python3";

    private static readonly Lazy<bool> PahoInstalled = new(() =>
    {
        try
        {
            return Run(Python, ["-c", "import paho.mqtt.client"], TimeSpan.FromSeconds(20)).ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    });

    public static string? Missing(params string[] programs)
    {
        var missing = programs.Where(p => p == "paho" ? !PahoInstalled.Value : Find(p) is null).ToList();
        return missing.Count == 0 ? null : string.Join(", ", missing);
    }

    /// <summary>The path of <paramref name="program"/>, or a failure naming the Debian package to install.</summary>
    public static string Require(string program) =>
        Find(program) ?? throw new InvalidOperationException($"{program} is not installed (apt-get install mosquitto mosquitto-clients python3-paho-mqtt)");

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public sealed record Result(int ExitCode, string Output, string Error);

    public static Result Run(string file, IEnumerable<string> arguments, TimeSpan timeout)
    {
        using var process = Start(file, arguments);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(file)} did not finish within {timeout.TotalSeconds} s: {error.Result}");
        }
        return new Result(process.ExitCode, output.Result, error.Result);
    }

    public static Process Start(string file, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        return Process.Start(info) ?? throw new InvalidOperationException($"Cannot start {file}");
    }

    public static async Task<Result> WaitAsync(Process process, TimeSpan timeout)
    {
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{process.StartInfo.FileName} did not finish within {timeout.TotalSeconds} s; output so far: {await output} {await error}");
        }
        return new Result(process.ExitCode, await output, await error);
    }
}

/// <summary>A fact that needs third-party peers: skipped with a message when they are missing, except in CI where it must run (and fail).</summary>
public sealed class PeerFactAttribute : FactAttribute
{
    public PeerFactAttribute(params string[] programs)
    {
        if (!Peers.InCi && Peers.Missing(programs) is { } missing) Skip = $"Not installed here: {missing} (apt-get install mosquitto mosquitto-clients python3-paho-mqtt); required when CI=true";
    }
}

/// <summary>The theory form of <see cref="PeerFactAttribute"/>.</summary>
public sealed class PeerTheoryAttribute : TheoryAttribute
{
    public PeerTheoryAttribute(params string[] programs)
    {
        if (!Peers.InCi && Peers.Missing(programs) is { } missing) Skip = $"Not installed here: {missing} (apt-get install mosquitto mosquitto-clients python3-paho-mqtt); required when CI=true";
    }
}

/// <summary>A real mosquitto broker on a free loopback port, with a temporary configuration file.</summary>
internal sealed class Mosquitto : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _folder;

    private Mosquitto(Process process, string folder, int port)
    {
        _process = process;
        _folder = folder;
        Port = port;
    }

    public int Port { get; }

    public static async Task<Mosquitto> StartAsync()
    {
        var program = Peers.Require("mosquitto");
        var folder = Directory.CreateTempSubdirectory("mosquitto-test-").FullName;
        for (var attempt = 0; ; attempt++)
        {
            var port = Peers.FreePort();
            var config = Path.Combine(folder, "mosquitto.conf");
            // mosquitto 2.x listens on loopback only and refuses anonymous clients unless told otherwise.
            await File.WriteAllTextAsync(config, $"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest none\nmax_inflight_messages 100\nmax_queued_messages 10000\n");
            var process = Peers.Start(program, ["-c", config]);
            var deadline = Environment.TickCount64 + 10_000;
            while (Environment.TickCount64 < deadline && !process.HasExited)
            {
                try
                {
                    using var probe = new TcpClient();
                    await probe.ConnectAsync(IPAddress.Loopback, port);
                    return new Mosquitto(process, folder, port);
                }
                catch (SocketException)
                {
                    await Task.Delay(50);
                }
            }
            var error = process.HasExited ? await process.StandardError.ReadToEndAsync() : "no answer";
            if (!process.HasExited) process.Kill();
            process.Dispose();
            if (attempt == 2) throw new InvalidOperationException($"mosquitto did not start on port {port}: {error}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
