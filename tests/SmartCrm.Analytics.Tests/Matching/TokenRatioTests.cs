using SmartCrm.Analytics.Matching;

namespace SmartCrm.Analytics.Tests.Matching;

public sealed class TokenRatioTests
{
    [Theory]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("", "abc", 3)]
    [InlineData("flaw", "lawn", 2)]
    [InlineData("same", "same", 0)]
    public void Levenshtein_counts_the_fewest_edits(string a, string b, int distance) => TokenRatio.Levenshtein(a, b).ShouldBe(distance);

    [Fact]
    public void Sort_ratio_ignores_word_order_and_plain_ratio_does_not()
    {
        TokenRatio.SortRatio("smith john", "john smith").ShouldBe(1);
        TokenRatio.Ratio("smith john", "john smith").ShouldBeLessThan(0.5);
    }

    [Fact]
    public void Set_ratio_forgives_a_missing_middle_name()
    {
        TokenRatio.SetRatio("anna maria smith", "anna smith").ShouldBe(1);
        TokenRatio.SortRatio("anna maria smith", "anna smith").ShouldBeLessThan(0.7);
        TokenRatio.SetRatio("anna smith", "peter jones").ShouldBeLessThan(0.5);
    }
}
