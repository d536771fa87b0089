namespace SmartCrm.Baskets;

/// <summary>
/// A basket rule chosen for a customer when its version activated: what customers with the same products bought next. Stored
/// with the rules (and replaced with them) so the 360 reads a customer's suggestions instead of matching rules on every view.
/// </summary>
public sealed class CustomerSuggestion
{
    public long Id { get; set; }
    public long CustomerId { get; set; }

    /// <summary>1 is shown first.</summary>
    public int Rank { get; set; }
    public long RuleId { get; set; }
}
