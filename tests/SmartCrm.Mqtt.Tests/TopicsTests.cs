using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace SmartCrm.Mqtt.Tests;

public sealed class TopicsTests
{
    // Examples of MQTT 4.7.1 and 4.7.2.
    [Theory]
    [InlineData("sport/tennis/player1/#", "sport/tennis/player1", true)]
    [InlineData("sport/tennis/player1/#", "sport/tennis/player1/ranking", true)]
    [InlineData("sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true)]
    [InlineData("sport/#", "sport", true)]
    [InlineData("#", "anything/at/all", true)]
    [InlineData("sport/tennis/+", "sport/tennis/player1", true)]
    [InlineData("sport/tennis/+", "sport/tennis/player1/ranking", false)]
    [InlineData("sport/+", "sport", false)]
    [InlineData("sport/+", "sport/", true)]
    [InlineData("+/+", "/finance", true)]
    [InlineData("/+", "/finance", true)]
    [InlineData("+", "/finance", false)]
    [InlineData("#", "$SYS/broker", false)]
    [InlineData("+/monitor/Clients", "$SYS/monitor/Clients", false)]
    [InlineData("$SYS/#", "$SYS/monitor/Clients", true)]
    [InlineData("$SYS/monitor/+", "$SYS/monitor/Clients", true)]
    [InlineData("a/b", "a/B", false)]
    public void Filters_match_the_examples_of_the_specification(string filter, string topic, bool matches)
    {
        Topics.Matches(filter, topic).ShouldBe(matches);
    }

    [Theory]
    [InlineData("sport/tennis#")]
    [InlineData("sport/tennis/#/ranking")]
    [InlineData("sport+")]
    [InlineData("")]
    [InlineData("$share/g")]
    [InlineData("$share//a")]
    [InlineData("$share/g+/a")]
    [InlineData("$share/g/")]
    public void Invalid_filters_are_refused(string filter) => Topics.ValidateFilter(filter).ShouldNotBeNull();

    [Theory]
    [InlineData("#")]
    [InlineData("+")]
    [InlineData("+/tennis/#")]
    [InlineData("sport/+/player1")]
    [InlineData("$share/group/a/+/c")]
    [InlineData("/")]
    public void Valid_filters_are_accepted(string filter) => Topics.ValidateFilter(filter).ShouldBeNull();

    [Theory]
    [InlineData("a/+")]
    [InlineData("#")]
    [InlineData("")]
    public void Topic_names_may_not_hold_wildcards_or_be_empty(string topic) => Topics.ValidateName(topic).ShouldNotBeNull();

    [Fact]
    public void Shared_filter_splits_into_group_and_filter()
    {
        Topics.TrySplitShared("$share/nodes/v1/devices/+/telemetry", out var group, out var filter).ShouldBeTrue();
        group.ShouldBe("nodes");
        filter.ShouldBe("v1/devices/+/telemetry");
        Topics.TrySplitShared("plain/topic", out _, out var plain).ShouldBeFalse();
        plain.ShouldBe("plain/topic");
    }

    [Fact]
    public void Utf8_rules_refuse_null_characters_and_surrogates()
    {
        MqttUtf8.IsValid("ok é 中"u8).ShouldBeTrue();
        MqttUtf8.IsValid([0x61, 0x00]).ShouldBeFalse();
        MqttUtf8.IsValid([0xED, 0xA0, 0x80]).ShouldBeFalse();
        MqttUtf8.IsValid([0xC0, 0x80]).ShouldBeFalse();
        Should.Throw<ArgumentException>(() => MqttUtf8.GetByteCount("a\uDC00b", "field")).Message.ShouldContain("field");
    }

    [Theory]
    [InlineData("secret/#", "secret/a", true)]
    [InlineData("secret/#", "#", true)]
    [InlineData("secret/#", "+/#", true)]
    [InlineData("secret/#", "+/+", true)]
    [InlineData("secret/#", "+", true)]
    [InlineData("secret/#", "secret", true)]
    [InlineData("secret/#", "public/#", false)]
    [InlineData("secret/+/key", "secret/a/+", true)]
    [InlineData("secret/+/key", "secret/a/b", false)]
    [InlineData("secret/+/key", "secret/+", false)]
    [InlineData("a/b", "a/b", true)]
    [InlineData("a/b", "a/b/c", false)]
    [InlineData("a", "a/#", true)]
    [InlineData("$SYS/#", "#", false)]
    [InlineData("$SYS/#", "+/broker", false)]
    [InlineData("$SYS/#", "$SYS/+", true)]
    [InlineData("$SYS/broker", "$SYS/#", true)]
    [InlineData("#", "$SYS/x", false)]
    [InlineData("v1/devices/+/telemetry", "$share/nodes/v1/devices/+/telemetry", true)]
    [InlineData("$share/g/a/#", "a/b", true)]
    public void Filters_overlap_when_some_topic_matches_both(string first, string second, bool overlap)
    {
        Topics.Overlap(first, second).ShouldBe(overlap);
        Topics.Overlap(second, first).ShouldBe(overlap);
    }

    private static readonly string[] Levels = ["a", "b", "$SYS", "", "+", "#"];

    private static Gen<string> FilterGen =>
        from count in Gen.Choose(1, 4)
        from levels in Gen.ListOf(Gen.Elements(Levels), count)
        select string.Join('/', levels.Select((l, i) => l == "#" && i < levels.Count - 1 ? "+" : l));

    private static Gen<string> TopicGen =>
        from count in Gen.Choose(1, 4)
        from levels in Gen.ListOf(Gen.Elements("a", "b", "$SYS", ""), count)
        select string.Join('/', levels);

    [Property(MaxTest = 3000)]
    public Property Overlap_never_misses_a_topic_both_filters_match() =>
        Prop.ForAll(Arb.From(FilterGen), Arb.From(FilterGen), Arb.From(TopicGen), (first, second, topic) =>
            !(Topics.Matches(first, topic) && Topics.Matches(second, topic)) || Topics.Overlap(first, second));

    [Property(MaxTest = 3000)]
    public Property Overlap_of_a_filter_with_a_topic_name_is_matching() =>
        Prop.ForAll(Arb.From(FilterGen), Arb.From(TopicGen), (filter, topic) => Topics.Overlap(filter, topic) == Topics.Matches(filter, topic));
}
