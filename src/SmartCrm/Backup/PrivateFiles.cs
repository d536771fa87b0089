namespace SmartCrm.Backup;

/// <summary>Files and folders only their owner may read: a backup holds every record and the keys that sign console cookies.</summary>
public static class PrivateFiles
{
    public static void CreateFolder(string path)
    {
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
        else Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>Options for a new file with mode 0600 (on Unix).</summary>
    public static FileStreamOptions Options(FileMode mode, FileAccess access = FileAccess.Write, FileShare share = FileShare.None)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = share };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        return options;
    }

    /// <summary>Takes group and other permissions off an existing file (one SQLite created).</summary>
    public static void Restrict(string path)
    {
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }
}
