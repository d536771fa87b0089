using System.ComponentModel.DataAnnotations;

namespace SmartCrm.Knowledge;

/// <summary>The text of an article as one save left it.</summary>
public sealed class ArticleVersion
{
    public long Id { get; set; }
    public long ArticleId { get; set; }
    public int Version { get; set; }
    [MaxLength(300)] public required string Title { get; set; }
    [MaxLength(20000)] public required string Body { get; set; }
    [MaxLength(100)] public string? Category { get; set; }
    [MaxLength(10)] public required string Language { get; set; }
    public DateTime SavedAt { get; set; }
}
