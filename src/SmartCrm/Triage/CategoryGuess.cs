namespace SmartCrm.Triage;

/// <summary>
/// The classifier's answer for one text: the category, the margin of its score over the runner-up (SVM decision values,
/// not a probability), and the terms that pushed the text most towards the category.
/// </summary>
public sealed record CategoryGuess(string Category, double Margin, IReadOnlyList<string> TopTerms);
