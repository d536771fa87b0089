using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using SmartCrm.Security;
using SmartCrm.Storage;

namespace SmartCrm.Tests.Infrastructure;

/// <summary>
/// The real program behind the test server, on a database of its own: SQLite in a temporary folder, or a new
/// database on the PostgreSQL server named by SMARTCRM_TEST_POSTGRES.
/// </summary>
public class CrmApp : WebApplicationFactory<Program>
{
    public const string AdminPassword = "admin-password-for-tests";

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "smartcrm-tests", Guid.NewGuid().ToString("N"));
    private readonly PostgresDatabase? _postgres;

    public CrmApp(Provider provider = Provider.Sqlite)
    {
        Provider = provider;
        if (provider == Provider.Postgres) _postgres = PostgresDatabase.Create();
    }

    /// <summary>Another node of the same installation: its own process state (engines, caches), the first app's database.</summary>
    public CrmApp(CrmApp sameDatabaseAs)
    {
        Provider = sameDatabaseAs.Provider;
        Settings[$"{StorageOptions.Section}:DataDirectory"] = sameDatabaseAs.DataDirectory;
        Settings[$"{StorageOptions.Section}:Database"] = sameDatabaseAs._postgres?.ConnectionString ?? "";
    }

    public Provider Provider { get; }

    public string DataDirectory => _dataDirectory;

    /// <summary>This app's own PostgreSQL database (null on SQLite), for a second node that shares it.</summary>
    public string? DatabaseConnectionString => _postgres?.ConnectionString;

    /// <summary>Settings as `smartcrm serve` would pass them; a test may add its own before the first request.</summary>
    public Dictionary<string, string?> Settings { get; } = [];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting($"{StorageOptions.Section}:DataDirectory", _dataDirectory);
        builder.UseSetting($"{StorageOptions.Section}:Database", _postgres?.ConnectionString ?? "");
        builder.UseSetting("SMARTCRM_ADMIN_PASSWORD", AdminPassword);
        // No MQTT broker unless a test asks for one on a port of its own (1883 would clash between parallel apps).
        builder.UseSetting("Mqtt:Port", "0");
        // Background learners off unless a test turns them on: scheduled model training and the triage job would otherwise
        // change scores and priorities under tests that are about something else, at times no test controls.
        builder.UseSetting("Models:Schedule", "false");
        builder.UseSetting("Triage:Enabled", "false");
        foreach (var (key, value) in Settings) builder.UseSetting(key, value);
    }

    /// <summary>A client that acts with an API key of the given role.</summary>
    public HttpClient ClientAs(Role role)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var scope = Services.CreateScope();
        var (_, key) = scope.ServiceProvider.GetRequiredService<Accounts>().CreateApiKeyAsync("test-" + role, role, CancellationToken.None).GetAwaiter().GetResult();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    public HttpClient Admin() => ClientAs(Role.Admin);

    /// <summary>Runs <paramref name="work"/> with the app's own database context (to arrange or inspect rows).</summary>
    public async Task<T> WithDbAsync<T>(Func<CrmDb, Task<T>> work)
    {
        using var scope = Services.CreateScope();
        return await work(scope.ServiceProvider.GetRequiredService<CrmDb>());
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing) return;
        _postgres?.Dispose();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may still hold the file for a moment; the temp folder is cleaned by the OS.
        }
    }
}

public enum Provider { Sqlite, Postgres }

public static class HttpJson
{
    public static async Task<T> ReadAsync<T>(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<T>())!;
}
