using SmartCrm.Triage;

namespace SmartCrm.Tests.Triage;

public sealed class FunctionWordsTests
{
    [Fact]
    public void The_terms_shown_for_a_category_leave_out_function_words_in_english_and_chinese()
    {
        var model = TicketClassifier.Train(TriageSeed.Examples);
        string[] texts =
        [
            "Why does my card not arrive and what can I do about it?",
            "The device does not turn on and there is smoke, please help",
            "I have not received my refund and it is not acceptable",
            "我的快递到现在还没有收到，这是为什么",
            "设备开不了机了，我要退款",
            .. TriageSeed.Examples.Select(e => e.Text),
            .. LabelledTickets.English.Select(e => e.Text),
            .. LabelledTickets.Chinese.Select(e => e.Text),
        ];
        var shown = 0;
        foreach (var text in texts)
        {
            var terms = model.Classify(text).TopTerms;
            terms.ShouldAllBe(t => !FunctionWords.Only(t), text);
            terms.ShouldNotContain(t => t == "does" || t == "not" || t == "and" || t == "的" || t == "了" || t == "吗", text);
            shown += terms.Count;
        }
        shown.ShouldBeGreaterThan(texts.Length * 2, "the words that decided are still shown, only the function words are not");
        model.Classify("The device does not turn on anymore").Category.ShouldBe("fault", "the classifier itself still reads every word");
    }

    [Fact]
    public void Function_words_are_told_from_words_that_mean_something()
    {
        FunctionWords.Only("does").ShouldBeTrue();
        FunctionWords.Only("does not").ShouldBeTrue();
        FunctionWords.Only("AND").ShouldBeTrue();
        FunctionWords.Only("card").ShouldBeFalse();
        FunctionWords.Only("not arrived").ShouldBeFalse();
        FunctionWords.Only("bill").ShouldBeFalse("a service desk's word, though scikit-learn lists it");
        FunctionWords.Only("的").ShouldBeTrue();
        FunctionWords.Only("我 的").ShouldBeTrue();
        FunctionWords.Only("没有").ShouldBeTrue();
        FunctionWords.Only("退款").ShouldBeFalse();
        FunctionWords.Only("没有收到").ShouldBeFalse();

        FunctionWords.OnlyPieceOf(" not ").ShouldBeTrue();
        FunctionWords.OnlyPieceOf(" doe").ShouldBeTrue();
        FunctionWords.OnlyPieceOf("oes ").ShouldBeTrue();
        FunctionWords.OnlyPieceOf(" car").ShouldBeFalse();
        FunctionWords.OnlyPieceOf("fund ").ShouldBeFalse();
        FunctionWords.OnlyPieceOf("了吗").ShouldBeTrue();
        FunctionWords.OnlyPieceOf("退款了").ShouldBeFalse();
    }
}
