using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;

namespace SmartCrm.Backup;

/// <summary>
/// The backup file: a zip holding manifest.json, the database image or dump under database/, and the data folder's own files
/// (data-protection keys, uploads) under data/. Written to FILE.partial with mode 0600 and renamed when complete, so a backup
/// that fails half-way never leaves a file that looks whole; read back by checking every entry against the manifest.
/// </summary>
public static class BackupArchive
{
    public const string DataPrefix = "data/";

    /// <summary>Names in the data folder that are not copied: the live database (it comes through the online backup), locks, restore leftovers.</summary>
    public static bool IsSkipped(string relative)
    {
        var name = Path.GetFileName(relative);
        var first = relative.Split('/')[0];
        return first.StartsWith(".restore-", StringComparison.Ordinal)
            || (relative == name && (name is DataFolderLock.FileName || name.StartsWith("smartcrm.db", StringComparison.Ordinal)));
    }

    /// <summary>Writes the backup file; returns the manifest with its file list filled in.</summary>
    public static async Task<BackupManifest> WriteAsync(string output, BackupManifest manifest, string databaseFile, bool compressDatabase,
        string? dataFolder, CancellationToken cancellationToken)
    {
        output = Path.GetFullPath(output);
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        var partial = output + ".partial";
        File.Delete(partial);
        var files = new List<FileSum>();
        try
        {
            await using (var stream = new FileStream(partial, PrivateFiles.Options(FileMode.CreateNew)))
            {
                await using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
                {
                    files.Add(await AddAsync(zip, manifest.Database, databaseFile, compressDatabase ? CompressionLevel.Optimal : CompressionLevel.NoCompression, cancellationToken));
                    if (dataFolder is not null && Directory.Exists(dataFolder))
                    {
                        var root = Path.GetFullPath(dataFolder);
                        foreach (var path in Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint }))
                        {
                            var relative = Path.GetRelativePath(root, path).Replace('\\', '/');
                            if (IsSkipped(relative) || path == output || path == partial) continue;
                            files.Add(await AddAsync(zip, DataPrefix + relative, path, CompressionLevel.Optimal, cancellationToken));
                        }
                    }
                    manifest = manifest with { Files = files };
                    var entry = zip.CreateEntry(BackupManifest.EntryName, CompressionLevel.Optimal);
                    await using var json = await entry.OpenAsync(cancellationToken);
                    await JsonSerializer.SerializeAsync(json, manifest, BackupManifest.Json, cancellationToken);
                }
                await stream.FlushAsync(cancellationToken);
                stream.Flush(flushToDisk: true);
            }
            File.Move(partial, output, overwrite: true);
            return manifest;
        }
        catch
        {
            File.Delete(partial);
            throw;
        }
    }

    private static async Task<FileSum> AddAsync(ZipArchive zip, string name, string path, CompressionLevel level, CancellationToken cancellationToken)
    {
        var entry = zip.CreateEntry(name, level);
        entry.LastWriteTime = File.GetLastWriteTimeUtc(path);
        await using var source = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        await using var target = await entry.OpenAsync(cancellationToken);
        var (bytes, sha) = await CopyAsync(source, target, cancellationToken);
        return new FileSum(name, bytes, sha);
    }

    private static async Task<(long Bytes, string Sha256)> CopyAsync(Stream source, Stream? target, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            if (target is not null) await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            total += read;
        }
        return (total, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    /// <summary>
    /// Checks the backup file against its manifest while unpacking it into <paramref name="staging"/>: the database entry to
    /// <paramref name="staging"/>/database, the data folder's files under <paramref name="staging"/>/data. Throws a
    /// <see cref="BackupException"/> naming the first fault; nothing outside the staging folder is touched.
    /// </summary>
    public static async Task<BackupManifest> UnpackAsync(string file, string staging, CancellationToken cancellationToken)
    {
        if (!File.Exists(file)) throw new BackupException($"{file} does not exist.");
        var damaged = $"{file} is not a SmartCrm backup, or it is damaged";
        ZipArchive zip;
        try
        {
            zip = await ZipFile.OpenReadAsync(file, cancellationToken);
        }
        catch (InvalidDataException e)
        {
            throw new BackupException($"{damaged}: {e.Message}", e);
        }
        await using (zip)
        {
            var manifestEntry = zip.GetEntry(BackupManifest.EntryName) ?? throw new BackupException($"{damaged}: it has no {BackupManifest.EntryName}.");
            BackupManifest manifest;
            try
            {
                await using var json = await manifestEntry.OpenAsync(cancellationToken);
                manifest = await JsonSerializer.DeserializeAsync<BackupManifest>(json, BackupManifest.Json, cancellationToken)
                    ?? throw new BackupException($"{damaged}: its manifest is empty.");
            }
            catch (Exception e) when (e is JsonException or InvalidDataException)
            {
                throw new BackupException($"{damaged}: its manifest cannot be read ({e.Message}).", e);
            }
            if (manifest.Format != BackupManifest.FormatName) throw new BackupException($"{damaged}: its manifest is not a {BackupManifest.FormatName} manifest.");
            if (manifest.Version > BackupManifest.CurrentVersion)
            {
                throw new BackupException($"{file} is a backup of format {manifest.Version}, newer than this SmartCrm reads ({BackupManifest.CurrentVersion}): restore it with a newer SmartCrm.");
            }
            if (manifest.Provider is not (BackupManifest.Sqlite or BackupManifest.Postgres)) throw new BackupException($"{damaged}: unknown database kind '{manifest.Provider}'.");

            if (manifest.Files.Select(f => f.Path).Distinct(StringComparer.Ordinal).Count() != manifest.Files.Count) throw new BackupException($"{damaged}: its manifest lists a file twice.");
            var listed = manifest.Files.ToDictionary(f => f.Path, StringComparer.Ordinal);
            if (!listed.ContainsKey(manifest.Database)) throw new BackupException($"{damaged}: the database entry {manifest.Database} is not in its file list.");
            var entries = zip.Entries.Where(e => e.FullName != BackupManifest.EntryName).ToList();
            if (entries.FirstOrDefault(e => !listed.ContainsKey(e.FullName)) is { } extra) throw new BackupException($"{damaged}: {extra.FullName} is not in its manifest.");
            if (listed.Keys.FirstOrDefault(p => zip.GetEntry(p) is null) is { } lost) throw new BackupException($"{damaged}: {lost} is listed in its manifest but missing.");

            PrivateFiles.CreateFolder(staging);
            foreach (var entry in entries)
            {
                var expected = listed[entry.FullName];
                var target = StagedPath(staging, manifest, entry.FullName) ?? throw new BackupException($"{damaged}: it holds an entry named {entry.FullName}, which a restore may not write.");
                PrivateFiles.CreateFolder(Path.GetDirectoryName(target)!);
                (long Bytes, string Sha256) actual;
                try
                {
                    await using var source = await entry.OpenAsync(cancellationToken);
                    await using var copy = new FileStream(target, PrivateFiles.Options(FileMode.Create));
                    actual = await CopyAsync(source, copy, cancellationToken);
                }
                catch (InvalidDataException e)
                {
                    throw new BackupException($"{damaged}: {entry.FullName} cannot be unpacked ({e.Message}).", e);
                }
                if (actual.Bytes != expected.Bytes || actual.Sha256 != expected.Sha256)
                {
                    throw new BackupException($"{damaged}: {entry.FullName} has {actual.Bytes:N0} bytes with SHA-256 {actual.Sha256}, the manifest says {expected.Bytes:N0} bytes with {expected.Sha256}.");
                }
            }
            return manifest;
        }
    }

    /// <summary>Where an entry is unpacked: database/… to staging/database, data/… under staging/data; null for any name that would leave them.</summary>
    private static string? StagedPath(string staging, BackupManifest manifest, string name)
    {
        if (name == manifest.Database) return Path.Combine(staging, "database");
        if (!name.StartsWith(DataPrefix, StringComparison.Ordinal)) return null;
        var relative = name[DataPrefix.Length..];
        var parts = relative.Split('/');
        if (relative.Length == 0 || parts.Any(p => p is "" or "." or ".." || p.Contains('\\', StringComparison.Ordinal)) || IsSkipped(relative)) return null;
        var root = Path.GetFullPath(Path.Combine(staging, "data"));
        var full = Path.GetFullPath(Path.Combine(root, Path.Combine(parts)));
        return full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? full : null;
    }

    /// <summary>Moves the staged data-folder files into <paramref name="dataFolder"/>; files the backup does not hold stay as they are.</summary>
    public static int PlaceDataFiles(string staging, string dataFolder)
    {
        var source = Path.Combine(staging, "data");
        if (!Directory.Exists(source)) return 0;
        var count = 0;
        foreach (var path in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(dataFolder, Path.GetRelativePath(source, path));
            PrivateFiles.CreateFolder(Path.GetDirectoryName(target)!);
            File.Move(path, target, overwrite: true);
            count++;
        }
        return count;
    }
}
