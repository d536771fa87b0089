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
}
