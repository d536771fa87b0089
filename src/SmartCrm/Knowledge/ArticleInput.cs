using System.ComponentModel.DataAnnotations;
using SmartCrm.Records;

namespace SmartCrm.Knowledge;

public sealed record ArticleInput
{
    public static readonly string[] Languages = ["en", "zh-Hans"];

    [Required, MaxLength(300)] public string? Title { get; init; }
    [Required, MaxLength(20000)] public string? Body { get; init; }
    [MaxLength(100)] public string? Category { get; init; }
    [Required, MaxLength(10)] public string? Language { get; init; }
    public bool? Published { get; init; }

    public Dictionary<string, string[]> Check()
    {
        var errors = new Dictionary<string, string[]>();
        if (Title is { } title && string.IsNullOrWhiteSpace(title)) errors["title"] = ["The title is required."];
        if (Body is { } body && string.IsNullOrWhiteSpace(body)) errors["body"] = ["The body is required."];
        if (Language is { } language && !Languages.Contains(language, StringComparer.Ordinal)) errors["language"] = [$"Must be one of: {string.Join(", ", Languages)}."];
        return errors;
    }

    /// <summary>Writes the input into <paramref name="article"/> as its next version.</summary>
    public void ApplyTo(Article article, TimeProvider clock)
    {
        article.Title = Title!.Trim();
        article.Body = Body!.Trim();
        article.Category = Normalise.Text(Category);
        article.Language = Language!;
        article.Published = Published ?? article.Published;
        article.Version++;
        article.Versions.Add(new ArticleVersion
        {
            Version = article.Version, Title = article.Title, Body = article.Body, Category = article.Category, Language = article.Language,
            SavedAt = clock.GetUtcNow().UtcDateTime,
        });
    }
}
