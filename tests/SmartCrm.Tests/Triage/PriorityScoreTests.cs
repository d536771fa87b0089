using SmartCrm.Alarms;
using SmartCrm.Tickets;
using SmartCrm.Triage;

namespace SmartCrm.Tests.Triage;

public sealed class PriorityScoreTests
{
    private static readonly DateTime Now = new(2026, 3, 4, 10, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void A_calm_question_from_a_new_customer_is_low_and_has_no_reasons()
    {
        var text = "How do I change the display language?";
        var score = PriorityScore.Of(UrgencyCue.In(text), Sentiment.Of(text), new PriorityFacts { Now = Now, DueAt = Now.AddDays(1) });

        (score.Score, score.Priority).ShouldBe((PriorityScore.Start, Priority.Low));
        score.Reasons.ShouldBeEmpty();
    }

    [Fact]
    public void Smoke_a_critical_alarm_and_an_overdue_answer_make_a_ticket_urgent_and_each_is_a_reason()
    {
        var text = "There is smoke coming out of the heater, this is terrible";
        var score = PriorityScore.Of(UrgencyCue.In(text), Sentiment.Of(text),
            new PriorityFacts { Now = Now, DueAt = Now.AddMinutes(-5), CustomerValue = 6000, OpenAlarms = [AlarmSeverity.Critical] });

        score.Priority.ShouldBe(Priority.Urgent);
        score.Score.ShouldBe(100);
        score.Reasons.Select(r => r.Signal).ShouldBe(["text", "sentiment", "customer value", "sla", "device alarm"], ignoreOrder: true);
        score.Reasons.Single(r => r.Signal == "text").Detail.ShouldContain("smoke");
    }

    [Fact]
    public void Chinese_urgency_cues_count_like_english_ones()
    {
        UrgencyCue.In("设备冒烟了，请马上处理").Select(c => c.Phrase).ShouldBe(["冒烟", "马上"]);
        UrgencyCue.In("please download the manual").ShouldBeEmpty("'down' is a word of its own, not part of 'download'");
    }

    [Theory]
    [InlineData("Thank you, the technician was excellent", Mood.Positive)]
    [InlineData("This is unacceptable, I am furious", Mood.Negative)]
    [InlineData("The service was not good", Mood.Negative)]
    [InlineData("服务很好，谢谢", Mood.Positive)]
    [InlineData("太差了，非常失望", Mood.Negative)]
    [InlineData("What is the warranty period?", Mood.Neutral)]
    public void Sentiment_reads_english_and_chinese(string text, Mood mood) => Sentiment.Of(text).Mood.ShouldBe(mood);
}
