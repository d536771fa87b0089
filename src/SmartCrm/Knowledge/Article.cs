using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace SmartCrm.Knowledge;

/// <summary>
/// A knowledge-base article: what agents send and the FAQ assistant answers from. Every save keeps the text as a new
/// <see cref="ArticleVersion"/>; <see cref="Version"/> counts them.
/// </summary>
public sealed class Article
{
    public long Id { get; set; }
    [MaxLength(300)] public required string Title { get; set; }
    /// <summary>Paragraphs separated by blank lines or line breaks; the assistant answers with the best-matching one.</summary>
    [MaxLength(20000)] public required string Body { get; set; }
    [MaxLength(100)] public string? Category { get; set; }
    /// <summary>"en" or "zh-Hans".</summary>
    [MaxLength(10)] public required string Language { get; set; }
    public int Version { get; set; }
    public bool Published { get; set; } = true;
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    [JsonIgnore] public List<ArticleVersion> Versions { get; set; } = [];
}
