namespace SmartCrm.Overview;

/// <summary>
/// One thing to do for the customer now, with why: <see cref="Kind"/> is ticket, retention, device or deal; a higher
/// <see cref="Weight"/> comes first; <see cref="Link"/> opens what the action is about.
/// </summary>
public sealed record NextBestAction(string Kind, int Weight, string Title, string Why, string? Link);
