namespace SmartCrm.Analytics.Recommendation;

/// <summary>Splits ratings for validation, so that settings are chosen without looking at the test set.</summary>
public static class RatingSplit
{
    /// <summary>
    /// Holds out a random <paramref name="share"/> of each user's ratings (at least one rating stays in training for
    /// every user) and returns the rest for training.
    /// </summary>
    /// <exception cref="ArgumentException">No ratings, or a share outside (0, 1).</exception>
    public static (List<Rating> Train, List<Rating> HeldOut) HoldOut(IReadOnlyList<Rating> ratings, double share, int seed)
    {
        ArgumentNullException.ThrowIfNull(ratings);
        if (ratings.Count == 0) throw new ArgumentException("RatingSplit.HoldOut: no ratings.", nameof(ratings));
        if (!(share is > 0 and < 1)) throw new ArgumentException($"RatingSplit.HoldOut: share must be in (0, 1) (was {share}).", nameof(share));
        var byUser = new Dictionary<int, List<int>>();
        for (var r = 0; r < ratings.Count; r++)
        {
            if (!byUser.TryGetValue(ratings[r].User, out var rows)) byUser.Add(ratings[r].User, rows = []);
            rows.Add(r);
        }
        var random = new Random(seed);
        var held = new bool[ratings.Count];
        foreach (var rows in byUser.Values)
        {
            var order = rows.ToArray();
            random.Shuffle(order);
            var count = Math.Min((int)Math.Round(share * order.Length), order.Length - 1);
            for (var n = 0; n < count; n++) held[order[n]] = true;
        }
        var train = new List<Rating>(ratings.Count);
        var heldOut = new List<Rating>();
        for (var r = 0; r < ratings.Count; r++) (held[r] ? heldOut : train).Add(ratings[r]);
        return (train, heldOut);
    }
}
