namespace SmartCrm.Mqtt;

/// <summary>Topic names, topic filters and matching (MQTT section 4.7).</summary>
public static class Topics
{
    /// <summary>Prefix of a shared subscription filter: <c>$share/{group}/{filter}</c>.</summary>
    public const string SharePrefix = "$share/";

    /// <summary>Why <paramref name="topic"/> is not a valid topic name to publish to, or null when it is.</summary>
    public static string? ValidateName(ReadOnlySpan<char> topic)
    {
        if (topic.IsEmpty) return "topic name is empty";
        if (topic.IndexOfAny('+', '#') >= 0) return "topic name contains a wildcard (+ or #)";
        if (topic.IndexOf('\0') >= 0) return "topic name contains U+0000";
        return null;
    }

    /// <summary>Why <paramref name="filter"/> is not a valid topic filter (shared or not), or null when it is.</summary>
    public static string? ValidateFilter(ReadOnlySpan<char> filter)
    {
        if (filter.IsEmpty) return "topic filter is empty";
        if (filter.IndexOf('\0') >= 0) return "topic filter contains U+0000";
        if (filter.StartsWith(SharePrefix, StringComparison.Ordinal))
        {
            var rest = filter[SharePrefix.Length..];
            var slash = rest.IndexOf('/');
            if (slash <= 0) return "shared subscription needs $share/{group}/{filter} with a non-empty group";
            if (rest[..slash].IndexOfAny('+', '#') >= 0) return "shared subscription group contains a wildcard";
            filter = rest[(slash + 1)..];
            if (filter.IsEmpty) return "shared subscription has an empty filter";
        }
        var start = 0;
        while (true)
        {
            var end = filter[start..].IndexOf('/');
            var level = end < 0 ? filter[start..] : filter.Slice(start, end);
            if (level.Length > 1 && level.IndexOfAny('+', '#') >= 0) return "a wildcard must occupy a whole level";
            if (level.Length == 1 && level[0] == '#' && end >= 0) return "# must be the last level";
            if (end < 0) return null;
            start += end + 1;
        }
    }

    /// <summary>True when <paramref name="filter"/> contains + or #.</summary>
    public static bool HasWildcard(ReadOnlySpan<char> filter) => filter.IndexOfAny('+', '#') >= 0;

    /// <summary>
    /// Splits a shared subscription filter into its group and filter; returns false for a plain filter.
    /// The filter must already be valid.
    /// </summary>
    public static bool TrySplitShared(string filter, out string group, out string innerFilter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (!filter.StartsWith(SharePrefix, StringComparison.Ordinal))
        {
            group = "";
            innerFilter = filter;
            return false;
        }
        var slash = filter.IndexOf('/', SharePrefix.Length);
        group = filter[SharePrefix.Length..slash];
        innerFilter = filter[(slash + 1)..];
        return true;
    }

    /// <summary>
    /// True when the topic name matches the (non-shared) filter. Topics starting with '$' are not matched by a
    /// filter whose first level is a wildcard (MQTT 4.7.2).
    /// </summary>
    public static bool Matches(ReadOnlySpan<char> filter, ReadOnlySpan<char> topic)
    {
        if (topic.Length > 0 && topic[0] == '$' && filter.Length > 0 && (filter[0] == '+' || filter[0] == '#')) return false;
        while (true)
        {
            var fEnd = filter.IndexOf('/');
            var fLevel = fEnd < 0 ? filter : filter[..fEnd];
            if (fLevel.Length == 1 && fLevel[0] == '#') return true;
            var tEnd = topic.IndexOf('/');
            var tLevel = tEnd < 0 ? topic : topic[..tEnd];
            if (!(fLevel.Length == 1 && fLevel[0] == '+') && !fLevel.SequenceEqual(tLevel)) return false;
            if (fEnd < 0) return tEnd < 0;
            if (tEnd < 0)
            {
                // "a/#" matches "a": the rest of the filter must be exactly "#".
                var rest = filter[(fEnd + 1)..];
                return rest.Length == 1 && rest[0] == '#';
            }
            filter = filter[(fEnd + 1)..];
            topic = topic[(tEnd + 1)..];
        }
    }
}
