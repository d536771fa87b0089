using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Playwright;

namespace SmartCrm.EndToEnd.Tests.Infrastructure;

/// <summary>The browser tests share one running CRM and run one after another: one demo company to seed, not one per class.</summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<RunningCrm>
{
    public const string Name = "browser";
}

/// <summary>
/// The real `smartcrm serve` as a separate process on a free loopback port with a fresh data folder and the demo company,
/// and Debian's Chromium driven by Playwright (headless).
/// </summary>
public sealed class RunningCrm : IAsyncLifetime
{
    public const string AdminPassword = "browser-test-password";

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "smartcrm-e2e", Guid.NewGuid().ToString("N"));
    private readonly StringBuilder _log = new();
    private Process? _server;
    private IPlaywright? _playwright;
    private string? _session;

    public string BaseUrl { get; private set; } = "";

    public IBrowser Browser { get; private set; } = null!;

    public static string ArtifactsFolder
    {
        get
        {
            var folder = Path.Combine(AppContext.BaseDirectory, "test-artifacts");
            Directory.CreateDirectory(folder);
            return folder;
        }
    }

    public async Task InitializeAsync()
    {
        var port = FreePort();
        BaseUrl = $"http://127.0.0.1:{port}";
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "smartcrm.dll"), "serve", "--urls", BaseUrl, "--data", _dataDirectory, "--demo", "--mqtt-port", "0" })
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["SMARTCRM_ADMIN_PASSWORD"] = AdminPassword;
        _server = Process.Start(start)!;
        _server.OutputDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _server.ErrorDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
        await WaitUntilHealthyAsync();

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            // Root in CI has no sandbox; the rest keeps Chromium off the (closed) network.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>
    /// A new browser context signed in as admin, with its language set. The first call signs in through the login form; later
    /// ones reuse its session cookie (the console allows ten sign-ins a minute per address, and the tests are more than ten),
    /// unless <paramref name="freshSignIn"/> asks for the form again. <paramref name="timeZone"/> is the browser's (IANA name).
    /// </summary>
    public async Task<IPage> SignedInPageAsync(string locale = "en-US", bool freshSignIn = false, string? timeZone = null)
    {
        var options = new BrowserNewContextOptions { BaseURL = BaseUrl, Locale = locale, TimezoneId = timeZone, ViewportSize = new ViewportSize { Width = 1280, Height = 900 } };
        if (!freshSignIn && _session is not null) options.StorageState = _session;
        var context = await Browser.NewContextAsync(options);
        // Generous: CI machines are small and busy, and a first page render includes JIT compilation.
        context.SetDefaultTimeout(60_000);
        var page = await context.NewPageAsync();
        if (options.StorageState is not null)
        {
            await page.GotoAsync("/");
            return page;
        }
        await page.GotoAsync("/login");
        await page.FillAsync("input[name=userName]", "admin");
        await page.FillAsync("input[name=password]", AdminPassword);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(BaseUrl + "/");
        _session ??= await context.StorageStateAsync();
        return page;
    }

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ArtifactsFolder, name + ".png"), FullPage = true });

    public string ServerLog
    {
        get { lock (_log) return _log.ToString(); }
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (_server is { HasExited: false })
        {
            _server.Kill(entireProcessTree: true);
            await _server.WaitForExitAsync();
        }
        _server?.Dispose();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }
    }

    private async Task WaitUntilHealthyAsync()
    {
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (DateTime.UtcNow < deadline)
        {
            if (_server!.HasExited) throw new InvalidOperationException("smartcrm serve exited:\n" + ServerLog);
            try
            {
                if ((await http.GetAsync(BaseUrl + "/healthz")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(250);
        }
        throw new TimeoutException("smartcrm serve did not become healthy:\n" + ServerLog);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
