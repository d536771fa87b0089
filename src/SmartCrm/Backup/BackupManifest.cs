using System.Text.Json;
using System.Text.Json.Serialization;

namespace SmartCrm.Backup;

/// <summary>
/// manifest.json of a backup file: what it holds and how to check it. Every other entry of the file is listed in
/// <see cref="Files"/> with its size and SHA-256; every table of the database image in <see cref="Tables"/> with its row count
/// and the SHA-256 of its rows read in primary-key order, so a restore can prove the database it built is the one backed up.
/// </summary>
public sealed record BackupManifest
{
    public const string FormatName = "smartcrm-backup";
    public const int CurrentVersion = 1;
    public const string EntryName = "manifest.json";
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgresql";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string Format { get; init; } = FormatName;
    public int Version { get; init; } = CurrentVersion;
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary><see cref="Sqlite"/> (the entry is the database file) or <see cref="Postgres"/> (the entry is a pg_dump custom-format archive).</summary>
    public required string Provider { get; init; }
    /// <summary>The last migration applied to the database (schema_history).</summary>
    public string? SchemaVersion { get; init; }
    /// <summary>The entry holding the database image or dump.</summary>
    public required string Database { get; init; }
    public IReadOnlyList<TableSum> Tables { get; init; } = [];
    public IReadOnlyList<FileSum> Files { get; init; } = [];

    public long Rows => Tables.Sum(t => t.Rows);
}

/// <summary>One table: its rows and the SHA-256 of their values in primary-key order.</summary>
public sealed record TableSum(string Name, long Rows, string Sha256);

/// <summary>One entry of the backup file besides the manifest.</summary>
public sealed record FileSum(string Path, long Bytes, string Sha256);
