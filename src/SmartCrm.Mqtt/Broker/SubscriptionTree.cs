using SmartCrm.Mqtt.Packets;

namespace SmartCrm.Mqtt.Broker;

/// <summary>A session's subscription to one filter.</summary>
internal sealed class Subscription(Session session, string filter, TopicSubscription options, int subscriptionId)
{
    public Session Session { get; } = session;
    /// <summary>The filter as the client sent it (with the $share prefix for shared ones).</summary>
    public string Filter { get; } = filter;
    public TopicSubscription Options { get; set; } = options;
    /// <summary>5.0 subscription identifier, 0 = none.</summary>
    public int SubscriptionId { get; set; } = subscriptionId;
}

/// <summary>Members of one shared subscription group on one filter; each message goes to one of them, in turn.</summary>
internal sealed class SharedGroup(string name)
{
    public string Name { get; } = name;
    public List<Subscription> Members { get; } = [];
    private int _next;

    /// <summary>Next member in turn, preferring one whose client is online.</summary>
    public Subscription? Pick()
    {
        var count = Members.Count;
        if (count == 0) return null;
        var start = (int)((uint)Interlocked.Increment(ref _next) % (uint)count);
        for (var i = 0; i < count; i++)
        {
            var candidate = Members[(start + i) % count];
            if (candidate.Session.IsOnline) return candidate;
        }
        return Members[start];
    }
}

/// <summary>
/// Topic tree of subscriptions: one node per filter level, with '+' and '#' as ordinary children, so a topic is
/// matched by walking its levels once (cost follows the topic depth and the wildcards, not the subscription count).
/// Readers share a lock; subscribe and unsubscribe take it exclusively.
/// </summary>
internal sealed class SubscriptionTree : IDisposable
{
    private sealed class Node
    {
        public Dictionary<string, Node>? Children;
        public List<Subscription>? Subscribers;
        public Dictionary<string, SharedGroup>? Groups;

        public bool IsEmpty => (Children is null || Children.Count == 0) && (Subscribers is null || Subscribers.Count == 0) && (Groups is null || Groups.Count == 0);
    }

    private readonly Node _root = new();
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);

    public void Dispose() => _lock.Dispose();

    public void Add(Subscription subscription)
    {
        var shared = Topics.TrySplitShared(subscription.Filter, out var group, out var filter);
        _lock.EnterWriteLock();
        try
        {
            var node = _root;
            foreach (var level in filter.Split('/'))
            {
                node.Children ??= new Dictionary<string, Node>(StringComparer.Ordinal);
                if (!node.Children.TryGetValue(level, out var child)) node.Children[level] = child = new Node();
                node = child;
            }
            if (shared)
            {
                node.Groups ??= new Dictionary<string, SharedGroup>(StringComparer.Ordinal);
                if (!node.Groups.TryGetValue(group, out var g)) node.Groups[group] = g = new SharedGroup(group);
                g.Members.Add(subscription);
            }
            else
            {
                (node.Subscribers ??= []).Add(subscription);
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    public void Remove(Subscription subscription)
    {
        var shared = Topics.TrySplitShared(subscription.Filter, out var group, out var filter);
        var levels = filter.Split('/');
        _lock.EnterWriteLock();
        try
        {
            RemoveAt(_root, levels, 0, subscription, shared ? group : null);
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    private static void RemoveAt(Node node, string[] levels, int depth, Subscription subscription, string? group)
    {
        if (depth == levels.Length)
        {
            if (group is null) node.Subscribers?.Remove(subscription);
            else if (node.Groups is not null && node.Groups.TryGetValue(group, out var g))
            {
                g.Members.Remove(subscription);
                if (g.Members.Count == 0) node.Groups.Remove(group);
            }
            return;
        }
        if (node.Children is null || !node.Children.TryGetValue(levels[depth], out var child)) return;
        RemoveAt(child, levels, depth + 1, subscription, group);
        if (child.IsEmpty) node.Children.Remove(levels[depth]);
    }

    /// <summary>Adds every subscription matching <paramref name="topic"/> to <paramref name="plain"/>, and one member of each matching shared group to <paramref name="shared"/>.</summary>
    public void Match(string topic, List<Subscription> plain, List<Subscription> shared)
    {
        _lock.EnterReadLock();
        try
        {
            Walk(_root, topic.AsSpan(), atRoot: true, dollar: topic.StartsWith('$'), plain, shared);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    private static void Collect(Node node, List<Subscription> plain, List<Subscription> shared)
    {
        if (node.Subscribers is { } subscribers) plain.AddRange(subscribers);
        if (node.Groups is { } groups)
        {
            foreach (var group in groups.Values)
            {
                if (group.Pick() is { } member) shared.Add(member);
            }
        }
    }

    private static void Walk(Node node, ReadOnlySpan<char> rest, bool atRoot, bool dollar, List<Subscription> plain, List<Subscription> shared)
    {
        var children = node.Children;
        if (children is null) return;
        var wildcardsAllowed = !(atRoot && dollar);
        // '#' matches this level and everything below, including the parent level itself ("a/#" matches "a").
        if (wildcardsAllowed && children.TryGetValue("#", out var hash)) Collect(hash, plain, shared);
        var slash = rest.IndexOf('/');
        var level = slash < 0 ? rest : rest[..slash];
        var lookup = children.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(level, out var exact)) Descend(exact, rest, slash, dollar, plain, shared);
        if (wildcardsAllowed && children.TryGetValue("+", out var plus)) Descend(plus, rest, slash, dollar, plain, shared);
    }

    private static void Descend(Node child, ReadOnlySpan<char> rest, int slash, bool dollar, List<Subscription> plain, List<Subscription> shared)
    {
        if (slash < 0)
        {
            Collect(child, plain, shared);
            // "a/#" also matches "a": the '#' child of the last level.
            if (child.Children is { } grand && grand.TryGetValue("#", out var hash)) Collect(hash, plain, shared);
        }
        else
        {
            Walk(child, rest[(slash + 1)..], atRoot: false, dollar, plain, shared);
        }
    }
}
