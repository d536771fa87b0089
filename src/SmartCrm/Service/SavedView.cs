using System.ComponentModel.DataAnnotations;

namespace SmartCrm.Service;

/// <summary>A user's named set of filters and sort on a list page (the query string it was saved from); each user sees only their own.</summary>
public sealed class SavedView
{
    public long Id { get; set; }
    [MaxLength(100)] public required string UserName { get; set; }
    /// <summary>The list it belongs to ("tickets").</summary>
    [MaxLength(50)] public required string Page { get; set; }
    [MaxLength(100)] public required string Name { get; set; }
    [MaxLength(2000)] public required string Query { get; set; }
    public DateTime CreatedAt { get; set; }
}
