namespace SmartCrm.Backup;

/// <summary>
/// An advisory lock on the data folder's smartcrm.lock file. A server, and every command that opens the database, holds it
/// shared while it runs; a restore holds it exclusively while it swaps the database and the keys, so it cannot replace a SQLite
/// file that a running server has open, and a server cannot start on a folder that is being restored.
/// </summary>
public sealed class DataFolderLock : IDisposable
{
    public const string FileName = "smartcrm.lock";
    private readonly FileStream _file;

    private DataFolderLock(FileStream file) => _file = file;

    /// <summary>Held by servers and commands; many at once. Throws <see cref="IOException"/> while a restore holds the folder.</summary>
    public static DataFolderLock Shared(string dataDirectory) =>
        new(Open(dataDirectory, FileAccess.Read, FileShare.ReadWrite));

    /// <summary>Held by a restore; null when a server or command is using the folder.</summary>
    public static DataFolderLock? TryExclusive(string dataDirectory)
    {
        try
        {
            return new DataFolderLock(Open(dataDirectory, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static FileStream Open(string dataDirectory, FileAccess access, FileShare share)
    {
        var folder = Path.GetFullPath(dataDirectory);
        PrivateFiles.CreateFolder(folder);
        // .NET takes flock(2) for FileShare on Unix: shared for a read-only handle, exclusive for FileShare.None.
        return new FileStream(Path.Combine(folder, FileName), PrivateFiles.Options(FileMode.OpenOrCreate, access, share));
    }

    public void Dispose() => _file.Dispose();
}
