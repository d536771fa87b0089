using System.Data.Common;
using System.Net.Http.Json;
using System.Text.Json;
using EvolveDb;
using EvolveDb.Migration;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using SmartCrm.Storage;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Storage;

/// <summary>Managers read the audit log: no credential, hashed or not, may be copied into it.</summary>
public sealed class AuditSecretsTests
{
    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task No_credential_column_reaches_the_audit_log(Provider provider)
    {
        using var app = new CrmApp(provider);
        var api = app.Admin();
        var profile = await api.CreateAsync("/api/v1/provisioning-profiles", new { name = "Line 1", secret = "first-secret" });
        (await api.PutAsJsonAsync($"/api/v1/provisioning-profiles/{profile.Id()}", new { name = "Line 1", secret = "second-secret" })).EnsureSuccessStatusCode();
        var (deviceId, _) = await api.CreateDeviceAsync();
        (await api.PostAsync($"/api/v1/devices/{deviceId}/token", null)).EnsureSuccessStatusCode();
        await api.CreateAsync("/api/v1/apikeys", new { name = "audited", role = "Sales" });
        var user = await api.CreateAsync("/api/v1/users", new { userName = "audited-user", password = "first-password", role = "Sales" });
        await api.PatchAsJsonAsync($"/api/v1/users/{user.Id()}", new { password = "second-password" });
        await ConsoleSession.SignInAsync(app, "audited-user", "second-password");

        var stored = await app.WithDbAsync(async db =>
        {
            var values = new List<string>();
            values.AddRange(await db.ProvisioningProfiles.Select(p => p.SecretHash).ToListAsync());
            values.AddRange(await db.Devices.Select(d => d.TokenHash).ToListAsync());
            values.AddRange(await db.ApiKeys.Select(k => k.Hash).ToListAsync());
            values.AddRange(await db.Users.Select(u => u.PasswordHash).ToListAsync());
            return values;
        });
        stored.Count.ShouldBeGreaterThan(5);

        var audit = await api.GetStringAsync("/api/v1/audit?pageSize=500");
        var entries = JsonDocument.Parse(audit).RootElement.GetProperty("items");
        entries.GetArrayLength().ShouldBeGreaterThan(5);
        foreach (var value in stored) audit.ShouldNotContain(value);
        foreach (var entry in entries.EnumerateArray())
        {
            if (entry.GetProperty("changes").GetString() is not { } changes) continue;
            foreach (var field in JsonDocument.Parse(changes).RootElement.EnumerateObject())
            {
                field.Name.ShouldNotContain("Hash", Case.Insensitive, $"{entry.GetProperty("entity")} #{entry.GetProperty("entityId")}");
                field.Name.ShouldNotContain("Secret", Case.Insensitive);
                field.Name.ShouldNotContain("Password", Case.Insensitive);
            }
        }
    }

    [Fact]
    public void Every_credential_column_is_marked_secret()
    {
        using var db = new CrmDb(new DbContextOptionsBuilder<CrmDb>().UseSqlite("Data Source=:memory:").Options);
        var credentials = db.Model.GetEntityTypes().SelectMany(e => e.GetProperties())
            .Where(p => p.PropertyInfo is not null && Credential(p.Name))
            .Select(p => $"{p.DeclaringType.ClrType.Name}.{p.Name}").ToList();
        credentials.ShouldContain("ProvisioningProfile.SecretHash");
        credentials.ShouldContain("Device.TokenHash");
        var unmarked = db.Model.GetEntityTypes().SelectMany(e => e.GetProperties())
            .Where(p => p.PropertyInfo is { } info && Credential(p.Name) && !info.IsDefined(typeof(SecretAttribute), inherit: true))
            .Select(p => $"{p.DeclaringType.ClrType.Name}.{p.Name}");
        unmarked.ShouldBeEmpty("a column that holds a credential or its hash needs [Secret], so the audit log leaves it out");
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public void Audit_rows_written_before_the_fix_lose_their_credential_hashes_on_upgrade(Provider provider)
    {
        using var postgres = provider == Provider.Postgres ? PostgresDatabase.Create() : null;
        var options = postgres is null
            ? new StorageOptions { DataDirectory = Path.Combine(Path.GetTempPath(), "smartcrm-tests", Guid.NewGuid().ToString("N")) }
            : new StorageOptions { Database = postgres.ConnectionString };
        if (postgres is null) Directory.CreateDirectory(options.DataDirectory);
        // The schema as the last release left it, with what its audit writer wrote.
        using (var connection = Open(options))
        {
            new Evolve(connection, _ => { })
            {
                EmbeddedResourceAssemblies = [typeof(Migrator).Assembly],
                EmbeddedResourceFilters = [Migrator.ScriptFolder(options)],
                MetadataTableName = "schema_history",
                TargetVersion = new MigrationVersion("5"),
            }.Migrate();
            Execute(connection, """
                INSERT INTO audit_log ("At", "Actor", "Action", "Entity", "EntityId", "Changes") VALUES
                ('2025-01-01 00:00:00', 'apikey:x', 'Added', 'ProvisioningProfile', 1, '{"Name":[null,"Line 1"],"SecretHash":[null,"aabbcc"]}'),
                ('2025-01-01 00:00:00', 'apikey:x', 'Modified', 'Device', 2, '{"TokenHash":["ddeeff","112233"],"TokenPrefix":["abc","def"]}'),
                ('2025-01-01 00:00:00', 'apikey:x', 'Modified', 'Customer', 3, '{"Name":["A","B"]}')
                """);
        }

        Migrator.Migrate(options, NullLogger.Instance);

        using (var connection = Open(options))
        {
            var rows = Query(connection, "SELECT \"Changes\" FROM audit_log ORDER BY \"EntityId\"");
            rows.Count.ShouldBe(3);
            rows.ShouldAllBe(r => !r.Contains("aabbcc") && !r.Contains("ddeeff") && !r.Contains("112233") && !r.Contains("Hash"));
            JsonDocument.Parse(rows[0]).RootElement.GetProperty("Name")[1].GetString().ShouldBe("Line 1");
            JsonDocument.Parse(rows[1]).RootElement.GetProperty("TokenPrefix")[1].GetString().ShouldBe("def");
            JsonDocument.Parse(rows[2]).RootElement.GetProperty("Name")[1].GetString().ShouldBe("B");
        }
    }

    private static bool Credential(string name) =>
        name.Contains("Hash", StringComparison.OrdinalIgnoreCase) || name.Contains("Secret", StringComparison.OrdinalIgnoreCase)
        || name.Contains("Password", StringComparison.OrdinalIgnoreCase) || (name.Contains("Token", StringComparison.OrdinalIgnoreCase) && !name.EndsWith("Prefix", StringComparison.Ordinal));

    private static DbConnection Open(StorageOptions options)
    {
        DbConnection connection = options.IsPostgres ? new NpgsqlConnection(options.Database) : new SqliteConnection(options.SqliteConnectionString);
        connection.Open();
        return connection;
    }

    private static void Execute(DbConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static List<string> Query(DbConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read()) rows.Add(reader.GetString(0));
        return rows;
    }
}
