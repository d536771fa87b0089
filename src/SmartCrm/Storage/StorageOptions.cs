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

    public string SqliteConnectionString =>
        $"Data Source={Path.Combine(Path.GetFullPath(DataDirectory), "smartcrm.db")};Pooling=True;Default Timeout=30";
}
