namespace SmartCrm.Baskets;

/// <summary>
/// "Who buys these also buys that", mined from orders by the active "baskets" model version. Products are kept as ids in
/// increasing order, comma-separated ("12,40"), so a rule is one row and a product is found in it with one pattern.
/// </summary>
public sealed class BasketRule
{
    public long Id { get; set; }

    /// <summary>The model version that mined it; the rows of older versions are replaced when a new one activates.</summary>
    public long ModelVersionId { get; set; }

    public required string Antecedent { get; set; }
    public int AntecedentSize { get; set; }
    public required string Consequent { get; set; }

    /// <summary>Orders holding every product of the rule.</summary>
    public int Count { get; set; }
    public double Support { get; set; }
    public double Confidence { get; set; }
    public double Lift { get; set; }

    /// <summary>The product ids of a side ("12,40").</summary>
    public static long[] Ids(string side) => side.Length == 0 ? [] : Array.ConvertAll(side.Split(','), long.Parse);
}
