namespace SmartCrm.Triage;

/// <summary>A text with the category a person gave it (or the seed set): one training or holdout example.</summary>
public sealed record LabelledText(string Text, string Category);
