using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Hosting;

/// <summary>The `smartcrm` executable itself, run as an operator would.</summary>
public sealed class CommandLineTests
{
    [Fact]
    public async Task Apikey_create_prints_a_working_key_as_its_last_line()
    {
        using var app = new CrmApp();
        app.CreateClient().Dispose(); // the server migrates the data folder, as a running `serve` would have

        var (exit, output) = await RunAsync("apikey", "create", "--name", "billing-sync", "--role", "Sales", "--data", app.DataDirectory);
        exit.ShouldBe(0, output);
        var key = output.TrimEnd().Split('\n')[^1].Trim();
        key.ShouldStartWith("scrm_");

        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        (await client.GetAsync("/api/v1/customers")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var ticket = await client.PostAsync("/api/v1/tickets", System.Net.Http.Json.JsonContent.Create(new { customerId = 1, kind = "Fault", subject = "x" }));
        ticket.StatusCode.ShouldBe(HttpStatusCode.Forbidden, "a Sales key may not write tickets");
    }

    [Fact]
    public async Task First_start_without_a_password_creates_admin_with_a_generated_one_printed_once()
    {
        var data = Path.Combine(Path.GetTempPath(), "smartcrm-tests", Guid.NewGuid().ToString("N"));
        // `user create` migrates and runs the same first-start step as `serve`; a second user shows the first start happened once.
        var (exit, output) = await RunAsync("user", "create", "--name", "maria", "--role", "Support", "--password", "maria-password", "--data", data);
        exit.ShouldBe(0, output);
        var printed = System.Text.RegularExpressions.Regex.Match(output, "Created user 'admin' with password: (\\S+)");
        printed.Success.ShouldBeTrue(output);
        var (again, secondOutput) = await RunAsync("user", "create", "--name", "olga", "--role", "Sales", "--password", "olga-password", "--data", data);
        again.ShouldBe(0, secondOutput);
        secondOutput.ShouldNotContain("password:");

        using var app = new CrmApp();
        app.Settings["Storage:DataDirectory"] = data;
        var browser = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        (await ConsoleLogin.SignInAsync(browser, "admin", printed.Groups[1].Value)).Headers.Location!.ToString().ShouldBe("/");
    }

    [Fact]
    public async Task Unknown_roles_are_refused_with_a_message()
    {
        var (exit, output) = await RunAsync("apikey", "create", "--name", "x", "--role", "Wizard", "--data", Path.GetTempPath());
        exit.ShouldNotBe(0);
        output.ShouldContain("Wizard");
    }

    public static async Task<(int Exit, string Output)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "smartcrm.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
