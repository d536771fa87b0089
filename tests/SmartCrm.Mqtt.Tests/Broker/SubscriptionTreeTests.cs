using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SmartCrm.Mqtt.Broker;
using SmartCrm.Mqtt.Packets;

namespace SmartCrm.Mqtt.Tests.Broker;

public sealed class SubscriptionTreeTests
{
    private static Subscription Add(SubscriptionTree tree, string client, string filter)
    {
        var s = new Subscription(new Session(client, 10), filter, new TopicSubscription(filter), 0);
        tree.Add(s);
        return s;
    }

    private static List<Subscription> Match(SubscriptionTree tree, string topic, List<Subscription>? shared = null)
    {
        var plain = new List<Subscription>();
        tree.Match(topic, plain, shared ?? []);
        return plain;
    }

    [Fact]
    public void Tree_finds_exact_plus_and_hash_subscriptions_and_forgets_removed_ones()
    {
        using var tree = new SubscriptionTree();
        var exact = Add(tree, "c1", "a/b/c");
        var plus = Add(tree, "c2", "a/+/c");
        var hash = Add(tree, "c3", "a/#");
        var root = Add(tree, "c4", "#");
        Add(tree, "c5", "x/y");

        Match(tree, "a/b/c").ShouldBe([exact, plus, hash, root], ignoreOrder: true);
        Match(tree, "a").ShouldBe([hash, root], ignoreOrder: true);
        tree.Remove(plus);
        tree.Remove(root);
        Match(tree, "a/b/c").ShouldBe([exact, hash], ignoreOrder: true);
        Match(tree, "$SYS/a").ShouldBeEmpty();
    }

    [Fact]
    public void Shared_group_hands_messages_round_robin_to_one_member_each()
    {
        using var tree = new SubscriptionTree();
        var members = Enumerable.Range(0, 3).Select(i => Add(tree, $"m{i}", "$share/g/jobs/+")).ToList();
        var other = Add(tree, "o", "$share/h/jobs/+");
        var picked = new List<Subscription>();
        for (var i = 0; i < 9; i++)
        {
            var shared = new List<Subscription>();
            Match(tree, "jobs/1", shared).ShouldBeEmpty();
            shared.Count.ShouldBe(2);
            shared.ShouldContain(other);
            picked.Add(shared.Single(s => s != other));
        }
        picked.GroupBy(p => p).Select(g => g.Count()).ShouldBe([3, 3, 3]);
    }

    public sealed record TreeCase(string[] Filters, string Topic);

    public static class TreeArbitraries
    {
        private static readonly string[] Levels = ["a", "b", "", "+", "#", "$s"];

        public static Arbitrary<TreeCase> Cases()
        {
            var filter = Gen.Choose(1, 4).SelectMany(n => Gen.Elements(Levels).ArrayOf(n)).Select(a => string.Join('/', a)).Where(f => Topics.ValidateFilter(f) is null);
            var topic = Gen.Choose(1, 4).SelectMany(n => Gen.Elements("a", "b", "", "$s").ArrayOf(n)).Select(a => string.Join('/', a)).Where(t => t.Length > 0);
            return Arb.From(filter.ArrayOf().Zip(topic).Select(t => new TreeCase(t.Item1, t.Item2)));
        }
    }

    [Property(Arbitrary = [typeof(TreeArbitraries)], MaxTest = 500)]
    public bool Tree_matches_exactly_the_filters_a_linear_scan_matches(TreeCase c)
    {
        using var tree = new SubscriptionTree();
        var all = c.Filters.Select((f, i) => Add(tree, $"c{i}", f)).ToList();
        var expected = all.Where(s => Topics.Matches(s.Filter, c.Topic)).ToHashSet();
        var found = Match(tree, c.Topic);
        return found.Count == expected.Count && found.ToHashSet().SetEquals(expected);
    }
}
