namespace SmartCrm.Records;

/// <summary>The light clean-up every write gets; the importer does the heavy cleaning.</summary>
public static class Normalise
{
    public static string? Text(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    public static string? Email(string? value) => Text(value)?.ToLowerInvariant();
}
