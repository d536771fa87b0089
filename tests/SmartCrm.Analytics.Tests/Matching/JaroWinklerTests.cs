using SmartCrm.Analytics.Matching;

namespace SmartCrm.Analytics.Tests.Matching;

public sealed class JaroWinklerTests
{
    [Theory]
    [InlineData("MARTHA", "MARHTA", 0.9444, 0.9611)]
    [InlineData("DWAYNE", "DUANE", 0.8222, 0.84)]
    [InlineData("DIXON", "DICKSONX", 0.7667, 0.8133)]
    public void Matches_the_published_examples_of_Winkler(string a, string b, double jaro, double winkler)
    {
        JaroWinkler.Jaro(a, b).ShouldBe(jaro, 0.0001);
        JaroWinkler.Similarity(a, b).ShouldBe(winkler, 0.0001);
    }

    [Fact]
    public void Is_symmetric_one_for_equal_and_zero_for_nothing_in_common()
    {
        JaroWinkler.Similarity("anna", "anna").ShouldBe(1);
        JaroWinkler.Similarity("abc", "xyz").ShouldBe(0);
        JaroWinkler.Similarity("", "").ShouldBe(1);
        JaroWinkler.Similarity("", "a").ShouldBe(0);
        JaroWinkler.Similarity("jonathan", "jonathon").ShouldBe(JaroWinkler.Similarity("jonathon", "jonathan"));
    }
}
