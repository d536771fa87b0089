using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace SmartCrm.Tests.Service;

/// <summary>
/// A real SMTP server on loopback for the tests: aiosmtpd (Debian's python3-aiosmtpd, installed by .ci/run) storing every message
/// it accepts in a maildir. Started on a port given, or a free one.
/// </summary>
public sealed class SmtpSink : IDisposable
{
    private readonly Process _process;

    public SmtpSink(int? port = null)
    {
        Port = port ?? FreePort();
        Directory = Path.Combine(Path.GetTempPath(), "smartcrm-tests", "smtp-" + Guid.NewGuid().ToString("N"));
        foreach (var sub in new[] { "tmp", "new", "cur" }) System.IO.Directory.CreateDirectory(Path.Combine(Directory, sub));
        // Debian's python3 has the package; a python first on PATH (pyenv) may not.
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{Port}", "-c", "aiosmtpd.handlers.Mailbox", Directory }) start.ArgumentList.Add(arg);
        _process = Process.Start(start) ?? throw new InvalidOperationException("python3 -m aiosmtpd did not start");
        var until = DateTime.UtcNow.AddSeconds(15);
        while (!Listening(Port))
        {
            if (_process.HasExited) throw new InvalidOperationException("aiosmtpd exited: " + _process.StandardError.ReadToEnd());
            if (DateTime.UtcNow > until) throw new TimeoutException($"aiosmtpd is not listening on {Port}");
            Thread.Sleep(100);
        }
    }

    public int Port { get; }

    public string Directory { get; }

    /// <summary>The messages received so far, as their raw text.</summary>
    public List<string> Messages() =>
        [.. System.IO.Directory.GetFiles(Path.Combine(Directory, "new")).Concat(System.IO.Directory.GetFiles(Path.Combine(Directory, "cur"))).Select(File.ReadAllText)];

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool Listening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit(5000);
        _process.Dispose();
    }
}
