using System.ComponentModel.DataAnnotations;

namespace SmartCrm.Import;

public enum ImportKind { Customers, Contacts, Products, Orders, Interactions, Ratings, Baskets }

public enum ImportStatus { Running, Completed, Failed, RolledBack }

/// <summary>One run of the importer over one file: its counts, where it got to (for resuming after a crash) and its outcome.</summary>
public sealed class ImportRun
{
    public long Id { get; set; }
    public ImportKind Kind { get; set; }
    [MaxLength(260)] public required string FileName { get; set; }
    /// <summary>Source system the rows come from (names the external ids); the file name unless the mapping says otherwise.</summary>
    [MaxLength(100)] public required string Source { get; set; }
    /// <summary>Length and hash of the file's first 64 KB: a crashed run of the same file is resumed, not repeated.</summary>
    [MaxLength(100)] public required string Fingerprint { get; set; }
    public ImportStatus Status { get; set; }
    public bool DryRun { get; set; }
    [MaxLength(100)] public string? Actor { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    public long TotalBytes { get; set; }
    public long BytesRead { get; set; }
    /// <summary>Last line whose row is committed; a resumed run starts after it.</summary>
    public long LastLine { get; set; }
    public long RowsRead { get; set; }
    public long Imported { get; set; }
    public long Updated { get; set; }
    public long Rejected { get; set; }
    public long Merged { get; set; }
    public long Altered { get; set; }
    public long ForReview { get; set; }
    [MaxLength(2000)] public string? Error { get; set; }
    /// <summary>The mapping the run used (YAML), so a resumed run reads the file the same way.</summary>
    [MaxLength(20000)] public string? Mapping { get; set; }
}

public enum ProblemAction { Rejected, Altered, Flagged }

/// <summary>One finding about one row: what the importer rejected, changed or flagged, and why.</summary>
public sealed class ImportProblem
{
    public long Id { get; set; }
    public long RunId { get; set; }
    public long Line { get; set; }
    [MaxLength(200)] public string? Column { get; set; }
    [MaxLength(500)] public string? Value { get; set; }
    public ProblemAction Action { get; set; }
    [MaxLength(500)] public required string Reason { get; set; }
}
