using System.Net.Http.Json;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Storage;

/// <summary>The data folder holds the whole CRM (the SQLite file, the keys that sign cookies): only its owner may read it.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DataFolderTests
{
    private const UnixFileMode Folder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode File = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public async Task A_new_data_folder_and_everything_in_it_is_for_its_owner_only()
    {
        using var app = new CrmApp();
        var admin = app.Admin();
        await admin.CreateCustomerAsync();
        // Signing in makes the data-protection keys; a write keeps the WAL and shared-memory files in place.
        await ConsoleSession.SignInAsync(app, "admin", CrmApp.AdminPassword);
        await admin.CreateCustomerAsync();

        ModesOf(app.DataDirectory).ShouldBe(Expected(app.DataDirectory));
    }

    [Fact]
    public async Task An_existing_folder_that_others_can_read_is_closed_at_start()
    {
        // As an older version left it: a folder and a database file anyone may read (0755 and 0644), keys likewise.
        var data = Path.Combine(Path.GetTempPath(), "smartcrm-tests", Guid.NewGuid().ToString("N"));
        const UnixFileMode open = UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        Directory.CreateDirectory(Path.Combine(data, "keys"), Folder | open | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        System.IO.File.SetUnixFileMode(data, Folder | open | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        await System.IO.File.WriteAllBytesAsync(Path.Combine(data, "smartcrm.db"), []);
        System.IO.File.SetUnixFileMode(Path.Combine(data, "smartcrm.db"), File | open);

        using var again = new CrmApp();
        again.Settings["Storage:DataDirectory"] = data;
        await again.Admin().CreateCustomerAsync();
        await ConsoleSession.SignInAsync(again, "admin", CrmApp.AdminPassword);
        ModesOf(data).ShouldBe(Expected(data));
    }

    private static SortedDictionary<string, UnixFileMode> ModesOf(string data)
    {
        var modes = new SortedDictionary<string, UnixFileMode>(StringComparer.Ordinal) { ["."] = System.IO.File.GetUnixFileMode(data) };
        foreach (var path in Directory.EnumerateFileSystemEntries(data, "*", SearchOption.AllDirectories))
        {
            modes[Path.GetRelativePath(data, path)] = System.IO.File.GetUnixFileMode(path);
        }
        modes.Keys.ShouldContain("smartcrm.db");
        modes.Keys.ShouldContain("keys");
        modes.Keys.Count(k => k.StartsWith("keys/key-", StringComparison.Ordinal)).ShouldBeGreaterThan(0);
        return modes;
    }

    private static SortedDictionary<string, UnixFileMode> Expected(string data)
    {
        var expected = new SortedDictionary<string, UnixFileMode>(StringComparer.Ordinal) { ["."] = Folder };
        foreach (var path in Directory.EnumerateFileSystemEntries(data, "*", SearchOption.AllDirectories))
        {
            expected[Path.GetRelativePath(data, path)] = Directory.Exists(path) ? Folder : File;
        }
        return expected;
    }
}
