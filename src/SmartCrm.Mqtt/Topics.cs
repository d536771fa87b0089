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

    /// <summary>
    /// True when some topic name matches both filters, that is when a subscription to one could receive a message
    /// meant for the other (shared subscriptions count by their filter). Both must be valid filters; a topic name is a
    /// filter without wildcards.
    /// </summary>
    public static bool Overlap(string first, string second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        TrySplitShared(first, out _, out var a);
        TrySplitShared(second, out _, out var b);
        return Overlap(a.AsSpan(), b.AsSpan());
    }

    private static bool Overlap(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        // A first-level wildcard matches no topic that starts with '$' (4.7.2).
        if (a.Length > 0 && b.Length > 0 && ((IsWildcard(a[0]) && b[0] == '$') || (IsWildcard(b[0]) && a[0] == '$'))) return false;
        while (true)
        {
            var aEnd = a.IndexOf('/');
            var bEnd = b.IndexOf('/');
            var aLevel = aEnd < 0 ? a : a[..aEnd];
            var bLevel = bEnd < 0 ? b : b[..bEnd];
            if (IsLevel(aLevel, '#') || IsLevel(bLevel, '#')) return true;
            if (!IsLevel(aLevel, '+') && !IsLevel(bLevel, '+') && !aLevel.SequenceEqual(bLevel)) return false;
            if (aEnd < 0 && bEnd < 0) return true;
            // "a" and "a/#" share the topic "a": the longer filter must end in exactly "#".
            if (aEnd < 0) return IsLevel(b[(bEnd + 1)..], '#');
            if (bEnd < 0) return IsLevel(a[(aEnd + 1)..], '#');
            a = a[(aEnd + 1)..];
            b = b[(bEnd + 1)..];
        }
    }

    private static bool IsWildcard(char c) => c is '+' or '#';

    private static bool IsLevel(ReadOnlySpan<char> level, char wildcard) => level.Length == 1 && level[0] == wildcard;
}
