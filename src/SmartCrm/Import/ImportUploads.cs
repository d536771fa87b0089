using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using SmartCrm.Records;
using SmartCrm.Storage;

namespace SmartCrm.Import;

/// <summary>
/// Uploaded files waiting to be imported, in the data folder's uploads/, each known by an id the server made (32 hex digits and
/// the file's extension): a client names an upload by that id, never by a path. Uploads older than a day are removed.
/// </summary>
public sealed partial class ImportUploads(IOptions<StorageOptions> storage, TimeProvider clock, ILogger<ImportUploads> logger)
{
    public static readonly TimeSpan Kept = TimeSpan.FromDays(1);

    private string Folder => Path.Combine(Path.GetFullPath(storage.Value.DataDirectory), "uploads");

    /// <summary>Streams an upload to disk (the importer reads files twice, never from memory) and answers its id and path.</summary>
    public async Task<(string Id, string Path)> SaveAsync(IFormFile file, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Folder);
        RemoveExpired();
        var extension = Path.GetExtension(FileName(file.FileName)).ToLowerInvariant();
        var id = Guid.NewGuid().ToString("N") + (Extension().IsMatch(extension) ? extension : "");
        var path = Path.Combine(Folder, id);
        await using var target = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        await file.CopyToAsync(target, cancellationToken);
        return (id, path);
    }

    /// <summary>The path of an upload by its id, or null when the text is no upload id (whether or not the file still exists).</summary>
    public string? PathOf(string? id) => id is not null && Id().IsMatch(id) ? Path.Combine(Folder, id) : null;

    /// <summary>The name a client gave its file, safe to show and store: no folders, no control characters, at most 200 characters.</summary>
    public static string FileName(string? name)
    {
        var bare = Path.GetFileName((name ?? "").Replace('\\', '/'));
        return InputText.Cut(InputText.Printable(bare), 200);
    }

    public static void Delete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Still open elsewhere: removed with the expired uploads later.
        }
    }

    private void RemoveExpired()
    {
        var before = clock.GetUtcNow().UtcDateTime - Kept;
        foreach (var file in new DirectoryInfo(Folder).EnumerateFiles())
        {
            if (file.LastWriteTimeUtc >= before) continue;
            try
            {
                file.Delete();
            }
            catch (IOException e)
            {
                logger.LogDebug(e, "Expired upload {Upload} not removed yet", file.Name);
            }
        }
    }

    [GeneratedRegex("^[0-9a-f]{32}(\\.[a-z0-9]{1,10})?$")]
    private static partial Regex Id();

    [GeneratedRegex("^\\.[a-z0-9]{1,10}$")]
    private static partial Regex Extension();
}
