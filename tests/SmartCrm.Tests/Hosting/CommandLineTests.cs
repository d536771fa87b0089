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
    public async Task Apikey_revoke_and_user_deactivate_take_access_away_from_a_running_server()
    {
        using var app = new CrmApp();
        var admin = app.Admin();
        var created = await admin.CreateAsync("/api/v1/apikeys", new { name = "nightly-export", role = "ReadOnly" });
        var key = created.GetProperty("key").GetString()!;
        var program = app.CreateClient();
        program.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        (await ConsoleSession.ReadsCustomersAsync(program)).ShouldBe(HttpStatusCode.OK);
        var (_, userName, session) = await ConsoleSession.NewUserAsync(app, admin, SmartCrm.Security.Role.Sales);
        (await ConsoleSession.ReadsCustomersAsync(session.Client)).ShouldBe(HttpStatusCode.OK);

        var (listed, list) = await RunAsync("apikey", "list", "--data", app.DataDirectory);
        listed.ShouldBe(0, list);
        list.ShouldContain("nightly-export");
        list.ShouldContain(key[..12]);
        list.ShouldNotContain(key);

        var (revoked, revokeOutput) = await RunAsync("apikey", "revoke", "--id", created.Id().ToString(System.Globalization.CultureInfo.InvariantCulture), "--data", app.DataDirectory);
        revoked.ShouldBe(0, revokeOutput);
        var (deactivated, deactivateOutput) = await RunAsync("user", "deactivate", userName, "--data", app.DataDirectory);
        deactivated.ShouldBe(0, deactivateOutput);
        // The server is another process: it learns from the database within five seconds.
        (await Security.RevocationTests.UntilAsync(() => ConsoleSession.ReadsCustomersAsync(program), HttpStatusCode.Unauthorized)).ShouldBeLessThan(TimeSpan.FromSeconds(5));
        (await Security.RevocationTests.UntilAsync(() => ConsoleSession.ReadsCustomersAsync(session.Client), HttpStatusCode.Unauthorized)).ShouldBeLessThan(TimeSpan.FromSeconds(5));

        var (unknownKey, unknownKeyOutput) = await RunAsync("apikey", "revoke", "--id", "987654", "--data", app.DataDirectory);
        unknownKey.ShouldNotBe(0);
        unknownKeyOutput.ShouldContain("987654");
        var (unknownUser, unknownUserOutput) = await RunAsync("user", "deactivate", "nobody-of-that-name", "--data", app.DataDirectory);
        unknownUser.ShouldNotBe(0);
        unknownUserOutput.ShouldContain("nobody-of-that-name");
        var (lastAdmin, lastAdminOutput) = await RunAsync("user", "deactivate", "admin", "--data", app.DataDirectory);
        lastAdmin.ShouldNotBe(0);
        lastAdminOutput.ShouldContain("last active administrator");
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
