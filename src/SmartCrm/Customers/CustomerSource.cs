using System.ComponentModel.DataAnnotations;

namespace SmartCrm.Customers;

/// <summary>
/// A customer as another system knows it: that system's id for them, and what it said beyond the CRM's own fields
/// (analytic features such as tenure or charges), as a JSON object.
/// </summary>
public sealed class CustomerSource
{
    public long Id { get; set; }
    public long CustomerId { get; set; }
    [MaxLength(100)] public required string System { get; set; }
    [MaxLength(100)] public required string ExternalId { get; set; }
    /// <summary>The customer fields this system supplied, comma-separated: the 360's "source per field".</summary>
    [MaxLength(400)] public string? Fields { get; set; }
    [MaxLength(20000)] public string? Attributes { get; set; }
    public DateTime FirstSeenAt { get; set; }
    public DateTime LastSeenAt { get; set; }
}

public enum CandidateStatus { Open, Merged, Dismissed }

/// <summary>Two customers that may be one person, with the match score and what agreed; a person confirms or dismisses it.</summary>
public sealed class DuplicateCandidate
{
    public long Id { get; set; }
    /// <summary>The older of the two (lower id); it survives a merge unless the reviewer picks the other.</summary>
    public long CustomerId { get; set; }
    public long OtherId { get; set; }
    public double Score { get; set; }
    [MaxLength(300)] public string? Reasons { get; set; }
    public CandidateStatus Status { get; set; }
    public DateTime FoundAt { get; set; }
    public long? ImportRunId { get; set; }
}

/// <summary>One merge of two customers, with everything needed to undo it.</summary>
public sealed class CustomerMerge
{
    public long Id { get; set; }
    public long SurvivorId { get; set; }
    public long MergedId { get; set; }
    [MaxLength(200)] public required string MergedName { get; set; }
    public double? Score { get; set; }
    [MaxLength(40)] public required string Rule { get; set; }
    [MaxLength(100)] public string? Actor { get; set; }
    public DateTime At { get; set; }
    public DateTime? UndoneAt { get; set; }
    /// <summary>JSON: the merged customer's row, the survivor's fields before, and the ids of the rows moved from one to the other.</summary>
    public required string Snapshot { get; set; }
}
