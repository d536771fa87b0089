using System.ComponentModel.DataAnnotations;

namespace SmartCrm.Storage;

public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>Folder for the SQLite file and other local state.</summary>
    [Required] public string DataDirectory { get; set; } = "smartcrm-data";

    /// <summary>A PostgreSQL connection string ("Host=...;Database=...") switches from SQLite to PostgreSQL.</summary>
    public string? Database { get; set; }

    public bool IsPostgres => !string.IsNullOrWhiteSpace(Database);

    /// <summary>
    /// <see cref="Database"/> with statements prepared automatically once used twice (unless the string says otherwise): the
    /// same few dozen queries run on every request, and PostgreSQL then skips parsing and planning them each time.
    /// </summary>
    public string? PostgresConnectionString
    {
        get
        {
            if (!IsPostgres) return null;
            var builder = new Npgsql.NpgsqlConnectionStringBuilder(Database);
            if (!Database!.Contains("Max Auto Prepare", StringComparison.OrdinalIgnoreCase) && !Database.Contains("MaxAutoPrepare", StringComparison.OrdinalIgnoreCase))
                builder.MaxAutoPrepare = 200;
            return builder.ConnectionString;
        }
    }

    public string SqliteFile => Path.Combine(Path.GetFullPath(DataDirectory), "smartcrm.db");

    public string SqliteConnectionString => $"Data Source={SqliteFile};Pooling=True;Default Timeout=30";
}
