using SmartCrm.Analytics.Matching;

namespace SmartCrm.Analytics.Tests.Matching;

public sealed class NameKeysTests
{
    [Theory]
    [InlineData("Robert", "R163")]
    [InlineData("Rupert", "R163")]
    [InlineData("Ashcraft", "A261")]
    [InlineData("Tymczak", "T522")]
    [InlineData("Pfister", "P236")]
    [InlineData("Lee", "L000")]
    public void Soundex_follows_the_american_rules(string word, string code) => NameKeys.Soundex(word.ToLowerInvariant()).ShouldBe(code);

    [Fact]
    public void Fold_removes_case_accents_and_punctuation()
    {
        NameKeys.Fold("  José  O'Neil-Smith ").ShouldBe("jose o neil smith");
        NameKeys.Fold(null).ShouldBe("");
        NameKeys.Fold("王 小明").ShouldBe("王 小明");
    }

    [Theory]
    [InlineData("Anna Smith", "Smith, Anna")]
    [InlineData("Jonathan Miller", "Jonathon Miller")]
    [InlineData("Katherine Johnson", "Katherine Jonhson")]
    [InlineData("Zoe Abbott", "Zoe Abbot")]
    public void Spellings_of_one_person_share_a_key(string a, string b)
    {
        var ka = new List<string>();
        var kb = new List<string>();
        NameKeys.Keys(NameKeys.Fold(a), ka);
        NameKeys.Keys(NameKeys.Fold(b), kb);
        ka.Intersect(kb).ShouldNotBeEmpty();
    }

    [Fact]
    public void Different_people_share_no_key()
    {
        var ka = new List<string>();
        var kb = new List<string>();
        NameKeys.Keys(NameKeys.Fold("Anna Smith"), ka);
        NameKeys.Keys(NameKeys.Fold("Peter Jones"), kb);
        ka.Intersect(kb).ShouldBeEmpty();
    }
}
