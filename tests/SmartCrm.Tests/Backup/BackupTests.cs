using System.IO.Compression;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Npgsql;
using SmartCrm.Backup;
using SmartCrm.Storage;
using SmartCrm.Tests.Hosting;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Backup;

/// <summary>
/// `smartcrm backup` and `restore` on real databases: a backup restored into a wiped node gives the same tables row for row,
/// a damaged file is refused before anything is replaced, and a backup taken while the server writes is one consistent image.
/// </summary>
public sealed class BackupTests : IDisposable
{
    private readonly List<string> _folders = [];
    private readonly List<PostgresDatabase> _databases = [];

    public static TheoryData<Provider> Providers => Apps.Providers;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Backup_wipe_and_restore_give_identical_counts_and_checksums_and_a_working_node(Provider provider)
    {
        var storage = NewStorage(provider);
        string key, cookie;
        long customer;
        using (var app = Start(storage))
        {
            var admin = app.Admin();
            key = admin.DefaultRequestHeaders.Authorization!.Parameter!;
            customer = await admin.CreateCustomerAsync("Backup Customer", phone: "+1 555 010 0100");
            var product = await admin.CreateProductAsync(25m);
            await admin.CreateOrderAsync(customer, product, 3, new DateTime(2025, 3, 4, 5, 6, 7, DateTimeKind.Utc));
            await admin.CreateAsync("/api/v1/tickets", new { customerId = customer, kind = "Fault", subject = "Heater makes noise", priority = "Urgent" });
            var (_, token) = await admin.CreateDeviceAsync(customer);
            await app.SendTelemetryAsync(token, "{\"ts\":1735689600000,\"values\":{\"temperature\":21.5,\"mode\":\"eco\"}}");
            await app.SendTelemetryAsync(token, "{\"ts\":1735693200000,\"values\":{\"temperature\":22.25}}");
            cookie = await SignInCookieAsync(app);
        }
        NpgsqlConnection.ClearAllPools();
        var live = await LiveSumsAsync(storage);
        var keys = Directory.GetFiles(Path.Combine(storage.DataDirectory, "keys"));
        keys.ShouldNotBeEmpty();

        var file = NewFile();
        var manifest = await DatabaseBackup.CreateAsync(storage, file, TimeProvider.System, CancellationToken.None);

        manifest.Tables.ShouldBe(live, "the manifest sums the tables as they are");
        manifest.Tables.Single(t => t.Name == "customers").Rows.ShouldBe(1);
        manifest.Tables.Single(t => t.Name == "telemetry").Rows.ShouldBe(3);
        manifest.Files.Select(f => f.Path).ShouldContain("data/keys/" + Path.GetFileName(keys[0]));
        if (!OperatingSystem.IsWindows()) File.GetUnixFileMode(file).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite, "a backup is a secret");

        await WipeAsync(storage);
        var result = await DatabaseBackup.RestoreAsync(storage, file, checkOnly: false, TimeProvider.System, CancellationToken.None);

        result.Replaced.ShouldBeTrue();
        result.Previous.ShouldBeNull("there was nothing to keep");
        (await LiveSumsAsync(storage)).ShouldBe(live);
        Directory.GetFiles(Path.Combine(storage.DataDirectory, "keys")).Select(Path.GetFileName).ShouldBe(keys.Select(Path.GetFileName), ignoreOrder: true);
        using (var app = Start(storage))
        {
            var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
            client.DefaultRequestHeaders.Authorization = new("Bearer", key);
            (await client.GetStringAsync($"/api/v1/customers/{customer}")).ShouldContain("Backup Customer");
            var browser = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
            browser.DefaultRequestHeaders.Add("Cookie", cookie);
            (await browser.GetAsync("/customers")).StatusCode.ShouldBe(HttpStatusCode.OK, "the cookie keys came back with the database");
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_damaged_backup_is_refused_with_the_reason_and_nothing_is_replaced(Provider provider)
    {
        var storage = NewStorage(provider);
        using (var app = Start(storage))
        {
            var admin = app.Admin();
            for (var i = 0; i < 20; i++) await admin.CreateCustomerAsync();
        }
        NpgsqlConnection.ClearAllPools();
        var file = NewFile();
        var manifest = await DatabaseBackup.CreateAsync(storage, file, TimeProvider.System, CancellationToken.None);
        var bytes = await File.ReadAllBytesAsync(file);
        var database = DatabaseEntryRange(file, manifest.Database);

        var flipped = (byte[])bytes.Clone();
        flipped[database.Start + database.Length / 2] ^= 0x5A;
        var edited = NewFile();
        File.Copy(file, edited);
        using (var zip = ZipFile.Open(edited, ZipArchiveMode.Update))
        {
            // A manifest that disagrees with the database it describes (one customer fewer, as a half-copied file would).
            var entry = zip.GetEntry(BackupManifest.EntryName)!;
            JsonNode json;
            using (var stream = entry.Open()) json = JsonNode.Parse(stream)!;
            var customers = json["tables"]!.AsArray().Single(t => (string)t!["name"]! == "customers")!;
            customers["rows"] = (long)customers["rows"]! - 1;
            entry.Delete();
            using var writer = new StreamWriter(zip.CreateEntry(BackupManifest.EntryName).Open());
            writer.Write(json.ToJsonString());
        }
        var offered = new Dictionary<string, (byte[] Content, string Reason)>
        {
            ["truncated"] = (bytes[..(bytes.Length / 2)], "not a SmartCrm backup, or it is damaged"),
            ["a flipped byte in the database"] = (flipped, "damaged: " + manifest.Database),
            ["a manifest that does not match the database"] = (await File.ReadAllBytesAsync(edited), "table customers has 20 rows in the database it holds, 19 in its manifest"),
            ["not a backup at all"] = ("name,email\nAda,ada@example.com\n"u8.ToArray(), "not a SmartCrm backup"),
        };
        var before = await LiveSumsAsync(storage);
        var databaseFile = Path.Combine(storage.DataDirectory, "smartcrm.db");
        var fileBefore = provider == Provider.Sqlite ? await File.ReadAllBytesAsync(databaseFile) : null;

        foreach (var (what, (content, reason)) in offered)
        {
            var bad = NewFile();
            await File.WriteAllBytesAsync(bad, content);
            var refused = await Should.ThrowAsync<BackupException>(() => DatabaseBackup.RestoreAsync(storage, bad, checkOnly: false, TimeProvider.System, CancellationToken.None));
            refused.Message.ShouldContain(reason, customMessage: what);
        }

        (await LiveSumsAsync(storage)).ShouldBe(before, "nothing was replaced");
        if (fileBefore is not null) (await File.ReadAllBytesAsync(databaseFile)).ShouldBe(fileBefore);
        Directory.GetDirectories(storage.DataDirectory, ".restore-*").ShouldBeEmpty("staging is cleaned up");
        if (provider == Provider.Postgres) (await ScratchDatabasesAsync(storage)).ShouldBeEmpty("the scratch database is dropped");
        var good = await DatabaseBackup.RestoreAsync(storage, file, checkOnly: true, TimeProvider.System, CancellationToken.None);
        good.Replaced.ShouldBeFalse();
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_backup_taken_while_the_server_writes_is_one_consistent_image(Provider provider)
    {
        var storage = NewStorage(provider);
        var file = NewFile();
        int atStart, atEnd, total;
        using (var app = Start(storage))
        {
            var admin = app.Admin();
            var written = 0;
            using var stop = new CancellationTokenSource();
            // Each customer and its audit entry are written in one transaction: a torn image would have one without the other.
            var writer = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    await admin.CreateCustomerAsync();
                    Interlocked.Increment(ref written);
                }
            });
            await Eventually.HoldsAsync(() => Task.FromResult(Volatile.Read(ref written)), n => n >= 20, "the writer has started");
            atStart = Volatile.Read(ref written);
            await DatabaseBackup.CreateAsync(storage, file, TimeProvider.System, CancellationToken.None);
            atEnd = Volatile.Read(ref written);
            await Eventually.HoldsAsync(() => Task.FromResult(Volatile.Read(ref written)), n => n >= atEnd + 3, "the writer goes on after the backup");
            await stop.CancelAsync();
            await writer;
            total = written;
        }
        NpgsqlConnection.ClearAllPools();
        atEnd.ShouldBeGreaterThan(atStart, "the server wrote while the backup ran");

        // Restored into a node of its own: the live one keeps the rows written after the backup.
        var elsewhere = NewStorage(provider, createDatabase: false);
        var result = await DatabaseBackup.RestoreAsync(elsewhere, file, checkOnly: false, TimeProvider.System, CancellationToken.None);

        var customers = result.Manifest.Tables.Single(t => t.Name == "customers").Rows;
        // One write may be committed before the image and counted only after the backup returned.
        customers.ShouldBeInRange(atStart, atEnd + 1);
        customers.ShouldBeLessThan(total);
        var audited = await CountAsync(elsewhere, "SELECT count(*) FROM audit_log WHERE \"Entity\" = 'Customer' AND \"Action\" = 'Added'");
        audited.ShouldBe(customers, "every customer in the image has its audit entry and no audit entry lacks its customer");
        (await LiveSumsAsync(elsewhere)).ShouldBe(result.Manifest.Tables);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Restore_refuses_while_a_server_uses_the_database_and_replaces_it_after_keeping_the_old_one(Provider provider)
    {
        var storage = NewStorage(provider);
        var file = NewFile();
        using (var app = Start(storage))
        {
            await app.Admin().CreateCustomerAsync("Kept Customer");
            await DatabaseBackup.CreateAsync(storage, file, TimeProvider.System, CancellationToken.None);
            await app.Admin().CreateCustomerAsync("Written After The Backup");

            var refused = await Should.ThrowAsync<BackupException>(() => DatabaseBackup.RestoreAsync(storage, file, false, TimeProvider.System, CancellationToken.None));
            refused.Message.ShouldContain("is using " + Path.GetFullPath(storage.DataDirectory));
            refused.Message.ShouldContain("Nothing was replaced");
            if (provider == Provider.Postgres)
            {
                // A server on another data folder is found by its sessions on the database.
                var other = new StorageOptions { DataDirectory = NewFolder(), Database = storage.Database };
                var sessions = await Should.ThrowAsync<BackupException>(() => DatabaseBackup.RestoreAsync(other, file, false, TimeProvider.System, CancellationToken.None));
                sessions.Message.ShouldContain("sessions are connected to database");
            }
            (await app.Admin().GetStringAsync("/api/v1/customers?q=Written")).ShouldContain("Written After The Backup", customMessage: "the server was not disturbed");
        }
        NpgsqlConnection.ClearAllPools();

        var result = await DatabaseBackup.RestoreAsync(storage, file, false, TimeProvider.System, CancellationToken.None);

        result.Previous.ShouldNotBeNull();
        (await CountAsync(storage, "SELECT count(*) FROM customers WHERE \"Name\" = 'Written After The Backup'")).ShouldBe(0);
        if (provider == Provider.Sqlite)
        {
            File.Exists(result.Previous).ShouldBeTrue();
            await using var kept = new SqliteConnection($"Data Source={result.Previous};Pooling=False");
            await kept.OpenAsync();
            await using var count = kept.CreateCommand();
            count.CommandText = "SELECT count(*) FROM customers WHERE \"Name\" = 'Written After The Backup'";
            ((long)(await count.ExecuteScalarAsync())!).ShouldBe(1, "the replaced database is kept whole");
        }
        else
        {
            var kept = new PostgresDatabaseName(storage.Database!, result.Previous);
            (await CountAsync(new StorageOptions { DataDirectory = storage.DataDirectory, Database = kept.ConnectionString }, "SELECT count(*) FROM customers WHERE \"Name\" = 'Written After The Backup'")).ShouldBe(1);
            await kept.DropAsync();
        }
    }

    [Fact]
    public async Task The_commands_write_a_private_file_verify_it_and_refuse_garbage()
    {
        var storage = NewStorage(Provider.Sqlite);
        using (var app = Start(storage)) await app.Admin().CreateCustomerAsync("Command Line Customer");
        var file = NewFile();

        var (exit, output) = await CommandLineTests.RunAsync("backup", "--out", file, "--data", storage.DataDirectory);

        exit.ShouldBe(0, output);
        output.ShouldContain("Backed up a SQLite database");
        if (!OperatingSystem.IsWindows()) File.GetUnixFileMode(file).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var (checkExit, checkOutput) = await CommandLineTests.RunAsync("restore", file, "--check", "--data", storage.DataDirectory);
        checkExit.ShouldBe(0, checkOutput);
        checkOutput.ShouldContain("is a sound backup");
        var garbage = NewFile();
        await File.WriteAllTextAsync(garbage, "not a backup");
        var (badExit, badOutput) = await CommandLineTests.RunAsync("restore", garbage, "--data", NewFolder());
        badExit.ShouldBe(1);
        badOutput.ShouldContain("Restore refused:");
        badOutput.ShouldContain("is not a SmartCrm backup");
        var (restoreExit, restoreOutput) = await CommandLineTests.RunAsync("restore", file, "--data", storage.DataDirectory);
        restoreExit.ShouldBe(0, restoreOutput);
        restoreOutput.ShouldContain("every table matches its checksum");
        restoreOutput.ShouldContain("kept as");
    }

    [Fact]
    public void A_missing_or_too_old_pg_dump_is_named_with_what_to_install()
    {
        var empty = NewFolder();
        Directory.CreateDirectory(empty);
        var missing = Should.Throw<BackupException>(() => PostgresTools.Find("pg_dump", 15, [empty]));
        missing.Message.ShouldContain("pg_dump was not found");
        missing.Message.ShouldContain("postgresql-client-15");

        if (OperatingSystem.IsWindows()) return;
        var old = Path.Combine(empty, "pg_dump");
        File.WriteAllText(old, "#!/bin/sh\necho 'pg_dump (PostgreSQL) 13.4'\n");
        File.SetUnixFileMode(old, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var tooOld = Should.Throw<BackupException>(() => PostgresTools.Find("pg_dump", 15, [empty]));
        tooOld.Message.ShouldContain("is from PostgreSQL 13, older than the server (15)");

        PostgresTools.Find("pg_dump", 13, [empty]).ShouldBe(old);
    }

    [Fact]
    public void A_server_holds_the_data_folder_shared_and_a_restore_needs_it_alone()
    {
        var folder = NewFolder();
        using (var server = DataFolderLock.Shared(folder))
        using (var command = DataFolderLock.Shared(folder))
        {
            DataFolderLock.TryExclusive(folder).ShouldBeNull();
        }
        using (var restore = DataFolderLock.TryExclusive(folder))
        {
            restore.ShouldNotBeNull();
            Should.Throw<IOException>(() => DataFolderLock.Shared(folder));
        }
        if (!OperatingSystem.IsWindows()) File.GetUnixFileMode(Path.Combine(folder, DataFolderLock.FileName)).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    private StorageOptions NewStorage(Provider provider, bool createDatabase = true)
    {
        var folder = NewFolder();
        if (provider == Provider.Sqlite) return new StorageOptions { DataDirectory = folder };
        if (createDatabase)
        {
            var database = PostgresDatabase.Create();
            _databases.Add(database);
            return new StorageOptions { DataDirectory = folder, Database = database.ConnectionString };
        }
        // A database name that does not exist yet: the restore creates it. Dropped afterwards like the others.
        var name = "smartcrm_test_" + Guid.NewGuid().ToString("N")[..12];
        var connection = new NpgsqlConnectionStringBuilder(PostgresDatabase.ServerConnectionString) { Database = name }.ConnectionString;
        _created.Add(new PostgresDatabaseName(PostgresDatabase.ServerConnectionString!, name));
        return new StorageOptions { DataDirectory = folder, Database = connection };
    }

    private readonly List<PostgresDatabaseName> _created = [];

    private static CrmApp Start(StorageOptions storage)
    {
        var app = new CrmApp();
        app.Settings["Storage:DataDirectory"] = storage.DataDirectory;
        app.Settings["Storage:Database"] = storage.Database ?? "";
        return app;
    }

    private string NewFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "smartcrm-tests", Guid.NewGuid().ToString("N"));
        _folders.Add(folder);
        return folder;
    }

    private string NewFile()
    {
        var folder = NewFolder();
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, "backup.zip");
    }

    private static async Task<List<TableSum>> LiveSumsAsync(StorageOptions storage)
    {
        if (storage.IsPostgres)
        {
            await using var postgres = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(storage.Database) { Pooling = false }.ConnectionString);
            await postgres.OpenAsync();
            return await TableChecksums.PostgresAsync(postgres, CancellationToken.None);
        }
        await using var sqlite = new SqliteConnection($"Data Source={Path.Combine(storage.DataDirectory, "smartcrm.db")};Pooling=False");
        await sqlite.OpenAsync();
        return await TableChecksums.SqliteAsync(sqlite, CancellationToken.None);
    }

    private static async Task<long> CountAsync(StorageOptions storage, string sql)
    {
        if (storage.IsPostgres)
        {
            await using var postgres = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(storage.Database) { Pooling = false }.ConnectionString);
            await postgres.OpenAsync();
            await using var command = new NpgsqlCommand(sql, postgres);
            return (long)(await command.ExecuteScalarAsync())!;
        }
        await using var sqlite = new SqliteConnection($"Data Source={Path.Combine(storage.DataDirectory, "smartcrm.db")};Pooling=False");
        await sqlite.OpenAsync();
        await using var query = sqlite.CreateCommand();
        query.CommandText = sql;
        return (long)(await query.ExecuteScalarAsync())!;
    }

    private static async Task WipeAsync(StorageOptions storage)
    {
        if (storage.IsPostgres)
        {
            var name = new NpgsqlConnectionStringBuilder(storage.Database).Database!;
            await new PostgresDatabaseName(storage.Database!, name).DropAsync();
        }
        Directory.Delete(storage.DataDirectory, recursive: true);
    }

    private static async Task<List<string>> ScratchDatabasesAsync(StorageOptions storage)
    {
        var name = new NpgsqlConnectionStringBuilder(storage.Database).Database!;
        await using var connection = new NpgsqlConnection(PostgresDatabase.ServerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT datname FROM pg_database WHERE datname LIKE $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = name + "\\_restore\\_%" });
        var found = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) found.Add(reader.GetString(0));
        return found;
    }

    /// <summary>Where a zip entry's compressed bytes lie in the file (after its local header).</summary>
    private static (int Start, int Length) DatabaseEntryRange(string file, string name)
    {
        using var zip = ZipFile.OpenRead(file);
        var entry = zip.GetEntry(name)!;
        var bytes = File.ReadAllBytes(file);
        // Local file header: signature, then fixed fields; the name and extra field lengths at offsets 26 and 28.
        var nameBytes = System.Text.Encoding.UTF8.GetBytes(name);
        for (var i = 0; i < bytes.Length - 30; i++)
        {
            if (bytes[i] != 0x50 || bytes[i + 1] != 0x4B || bytes[i + 2] != 3 || bytes[i + 3] != 4) continue;
            var nameLength = BitConverter.ToUInt16(bytes, i + 26);
            var extraLength = BitConverter.ToUInt16(bytes, i + 28);
            if (nameLength == nameBytes.Length && bytes.AsSpan(i + 30, nameLength).SequenceEqual(nameBytes))
            {
                return (i + 30 + nameLength + extraLength, (int)entry.CompressedLength);
            }
        }
        throw new InvalidOperationException($"{name} not found in {file}");
    }

    private static async Task<string> SignInCookieAsync(CrmApp app)
    {
        var browser = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        var login = await browser.GetAsync("/login");
        var antiforgery = login.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).ToList();
        var token = System.Text.RegularExpressions.Regex.Match(await login.Content.ReadAsStringAsync(), "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token), ["userName"] = "admin", ["password"] = CrmApp.AdminPassword, ["returnUrl"] = "/",
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/account/login") { Content = form };
        request.Headers.Add("Cookie", string.Join("; ", antiforgery));
        var signedIn = await browser.SendAsync(request);
        signedIn.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        return string.Join("; ", signedIn.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).Where(c => c.StartsWith("smartcrm=", StringComparison.Ordinal)));
    }

    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        SqliteConnection.ClearAllPools();
        foreach (var database in _databases) database.Dispose();
        foreach (var database in _created) database.DropAsync().GetAwaiter().GetResult();
        foreach (var folder in _folders)
        {
            try
            {
                if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // Left for the OS to clean.
            }
        }
    }

    /// <summary>A database by name on the test server, dropped on request (with its sessions).</summary>
    private sealed class PostgresDatabaseName(string connectionString, string name)
    {
        public string ConnectionString { get; } = new NpgsqlConnectionStringBuilder(connectionString) { Database = name }.ConnectionString;

        public async Task DropAsync()
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false }.ConnectionString);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
