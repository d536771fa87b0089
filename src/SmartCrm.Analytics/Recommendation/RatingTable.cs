namespace SmartCrm.Analytics.Recommendation;

/// <summary>One rating: a user's score for an item, with the caller's own ids.</summary>
/// <param name="User">User id.</param>
/// <param name="Item">Item id.</param>
/// <param name="Value">The score, e.g. 1 to 5 stars.</param>
public readonly record struct Rating(int User, int Item, double Value);

/// <summary>
/// Ratings with users and items renumbered densely (0..n−1) and also grouped by user, the layout every model
/// here trains on. Caller ids are kept for lookups; a rating repeated for the same user and item keeps the last.
/// </summary>
public sealed class RatingTable
{
    private readonly Dictionary<int, int> _userIndex;
    private readonly Dictionary<int, int> _itemIndex;

    private RatingTable(Dictionary<int, int> userIndex, Dictionary<int, int> itemIndex, int[] userIds, int[] itemIds,
        int[] users, int[] items, float[] values)
    {
        this._userIndex = userIndex;
        this._itemIndex = itemIndex;
        UserIds = userIds;
        ItemIds = itemIds;
        Users = users;
        Items = items;
        Values = values;
        UserStart = new int[userIds.Length + 1];
        foreach (var u in users) UserStart[u + 1]++;
        for (var u = 0; u < userIds.Length; u++) UserStart[u + 1] += UserStart[u];
        ByUserItem = new int[users.Length];
        ByUserValue = new float[users.Length];
        var next = (int[])UserStart.Clone();
        for (var r = 0; r < users.Length; r++)
        {
            var at = next[users[r]]++;
            ByUserItem[at] = items[r];
            ByUserValue[at] = values[r];
        }
        double sum = 0;
        float low = float.PositiveInfinity, high = float.NegativeInfinity;
        foreach (var v in values)
        {
            sum += v;
            low = Math.Min(low, v);
            high = Math.Max(high, v);
        }
        GlobalMean = sum / values.Length;
        MinRating = low;
        MaxRating = high;
    }

    /// <summary>Number of ratings.</summary>
    public int Count => Users.Length;

    /// <summary>Number of distinct users.</summary>
    public int UserCount => UserIds.Length;

    /// <summary>Number of distinct items.</summary>
    public int ItemCount => ItemIds.Length;

    /// <summary>Mean of all ratings.</summary>
    public double GlobalMean { get; }

    /// <summary>Lowest rating seen; predictions are clipped to [MinRating, MaxRating].</summary>
    public double MinRating { get; }

    /// <summary>Highest rating seen.</summary>
    public double MaxRating { get; }

    internal int[] UserIds { get; }

    internal int[] ItemIds { get; }

    internal int[] Users { get; }

    internal int[] Items { get; }

    internal float[] Values { get; }

    internal int[] UserStart { get; }

    internal int[] ByUserItem { get; }

    internal float[] ByUserValue { get; }

    /// <summary>Dense index of a caller's user id, or −1 for a user without ratings.</summary>
    public int UserIndex(int user) => _userIndex.TryGetValue(user, out var index) ? index : -1;

    /// <summary>Dense index of a caller's item id, or −1 for an item without ratings.</summary>
    public int ItemIndex(int item) => _itemIndex.TryGetValue(item, out var index) ? index : -1;

    /// <summary>The caller's id of dense item index <paramref name="index"/>.</summary>
    public int ItemId(int index) => ItemIds[index];

    /// <summary>The caller's item ids the user has rated (empty for an unknown user).</summary>
    public IReadOnlyList<int> RatedBy(int user)
    {
        var u = UserIndex(user);
        if (u < 0) return [];
        var rated = new int[UserStart[u + 1] - UserStart[u]];
        for (var j = 0; j < rated.Length; j++) rated[j] = ItemIds[ByUserItem[UserStart[u] + j]];
        return rated;
    }

    /// <summary>Builds the table.</summary>
    /// <exception cref="ArgumentException">No ratings, or a rating that is not a finite number.</exception>
    public static RatingTable From(IEnumerable<Rating> ratings)
    {
        ArgumentNullException.ThrowIfNull(ratings);
        var userIndex = new Dictionary<int, int>();
        var itemIndex = new Dictionary<int, int>();
        var userIds = new List<int>();
        var itemIds = new List<int>();
        var position = new Dictionary<(int, int), int>();
        var users = new List<int>();
        var items = new List<int>();
        var values = new List<float>();
        var row = 0;
        foreach (var rating in ratings)
        {
            if (!double.IsFinite(rating.Value)) throw new ArgumentException($"Rating {row} (user {rating.User}, item {rating.Item}) is {rating.Value}.", nameof(ratings));
            row++;
            if (!userIndex.TryGetValue(rating.User, out var u))
            {
                u = userIds.Count;
                userIndex.Add(rating.User, u);
                userIds.Add(rating.User);
            }
            if (!itemIndex.TryGetValue(rating.Item, out var i))
            {
                i = itemIds.Count;
                itemIndex.Add(rating.Item, i);
                itemIds.Add(rating.Item);
            }
            if (position.TryGetValue((u, i), out var at))
            {
                values[at] = (float)rating.Value;
                continue;
            }
            position.Add((u, i), users.Count);
            users.Add(u);
            items.Add(i);
            values.Add((float)rating.Value);
        }
        if (users.Count == 0) throw new ArgumentException("No ratings.", nameof(ratings));
        return new RatingTable(userIndex, itemIndex, userIds.ToArray(), itemIds.ToArray(), users.ToArray(), items.ToArray(), values.ToArray());
    }
}

/// <summary>A model that predicts the rating a user would give an item.</summary>
public interface IRatingPredictor
{
    /// <summary>Predicted rating, clipped to the training scale; users or items never seen fall back on what is known (biases, the mean).</summary>
    double Predict(int user, int item);
}

/// <summary>A model that ranks items for a user.</summary>
public interface IItemRanker
{
    /// <summary>The <paramref name="count"/> best items for <paramref name="user"/> (caller ids), best first, leaving out items the user already rated.</summary>
    IReadOnlyList<int> Recommend(int user, int count);
}
