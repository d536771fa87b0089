using System.Runtime.InteropServices;

namespace SmartCrm.Storage;

/// <summary>
/// The data folder holds the whole CRM (the SQLite file, the keys that sign cookies, uploads, backups), so only its owner
/// may enter it (0700) or read what is in it (0600), however the user's umask is set.
/// </summary>
public static class PrivateDataFolder
{
    public const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>The keys that protect cookies and antiforgery tokens, in the data folder.</summary>
    public const string KeysFolder = "keys";

    /// <summary>
    /// Creates the folder for its owner only, or closes an existing one (an older version made it 0755 and its files 0644):
    /// the folder, its keys folder and the files this program keeps directly in them. Nothing deeper is touched: a user may
    /// point --data at a folder that holds other things too.
    /// </summary>
    public static string Prepare(string path)
    {
        var full = Path.GetFullPath(path);
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(full);
            Directory.CreateDirectory(Path.Combine(full, KeysFolder));
            return full;
        }
        foreach (var folder in new[] { full, Path.Combine(full, KeysFolder) })
        {
            if (!Directory.Exists(folder)) Directory.CreateDirectory(folder, OwnerOnlyFolder);
            Restrict(folder, OwnerOnlyFolder);
        }
        foreach (var file in Directory.EnumerateFiles(full, "smartcrm.db*").Concat(Directory.EnumerateFiles(Path.Combine(full, KeysFolder), "*.xml")))
        {
            Restrict(file, OwnerOnlyFile);
        }
        return full;
    }

    /// <summary>
    /// Creates the empty SQLite file owner-only before SQLite does: SQLite makes a new database 0644 (less the umask) and
    /// gives its -wal and -shm files the database file's mode, so all three end up 0600.
    /// </summary>
    public static void PrepareDatabaseFile(string file)
    {
        if (OperatingSystem.IsWindows() || File.Exists(file)) return;
        using var created = new FileStream(file, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerOnlyFile });
    }

    /// <summary>
    /// Makes every file this process creates from now on owner-only (umask 077): uploads, backups and exports are written
    /// by several parts of the program, and SQLite and the data-protection library create files of their own.
    /// </summary>
    public static void RestrictNewFiles()
    {
        if (OperatingSystem.IsWindows()) return;
        _ = Umask(0b000_111_111);
    }

    private static void Restrict(string path, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows()) return;
        var current = File.GetUnixFileMode(path);
        // Only ever takes access away: an owner who made the folder 0500 keeps that.
        var wanted = current & mode;
        if (wanted != current) File.SetUnixFileMode(path, wanted);
    }

    // A plain DllImport: the one argument and the result are blittable, so no marshalling code (or unsafe build) is needed.
#pragma warning disable SYSLIB1054
    [DllImport("libc", EntryPoint = "umask")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern uint Umask(uint mask);
#pragma warning restore SYSLIB1054
}
