using SmartCrm.Analytics.Text;

namespace SmartCrm.Analytics.Tests.Text;

public class TokeniserTests
{
    [Fact]
    public void Character_ngrams_within_words_match_scikit_learns_char_wb()
    {
        var terms = new Tokeniser(TermKind.CharactersWithinWords, 2, 3).Tokenise("Hi there, a I");

        // TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3)).build_analyzer()("Hi there, a I")
        terms.ShouldBe([" h", "hi", "i ", " hi", "hi ", " t", "th", "he", "er", "re", "e,", ", ", " th", "the", "her", "ere", "re,", "e, ",
            " a", "a ", " a ", " i", "i ", " i "]);
    }

    [Fact]
    public void Chinese_text_becomes_character_ngrams_without_a_dictionary()
    {
        var terms = new Tokeniser(TermKind.CharactersWithinWords, 2, 3).Tokenise("我想查询余额");

        terms.ShouldBe([" 我", "我想", "想查", "查询", "询余", "余额", "额 ", " 我想", "我想查", "想查询", "查询余", "询余额", "余额 "]);
    }

    [Fact]
    public void Chinese_words_are_single_characters_so_word_bigrams_are_character_bigrams()
    {
        var terms = new Tokeniser(TermKind.Words, 1, 2).Tokenise("查询余额 card");

        terms.ShouldBe(["查", "询", "余", "额", "card", "查 询", "询 余", "余 额", "额 card"]);
    }

    [Fact]
    public void Word_ngrams_match_scikit_learns_token_pattern()
    {
        var terms = new Tokeniser(TermKind.Words, 1, 2).Tokenise("Hi there, a I won't go_on x2");

        // One-letter words are dropped; apostrophes split; underscores and digits are word characters.
        terms.ShouldBe(["hi", "there", "won", "go_on", "x2", "hi there", "there won", "won go_on", "go_on x2"]);
    }

    [Fact]
    public void Character_ngrams_collapse_runs_of_spaces_as_scikit_learn_does()
    {
        var terms = new Tokeniser(TermKind.Characters, 2, 3).Tokenise("Hi  there");

        terms.ShouldBe(["hi", "i ", " t", "th", "he", "er", "re", "hi ", "i t", " th", "the", "her", "ere"]);
    }

    [Fact]
    public void Lower_casing_can_be_turned_off()
    {
        new Tokeniser(TermKind.Words, lowercase: false).Tokenise("Card PIN").ShouldBe(["Card", "PIN"]);
    }

    [Fact]
    public void Empty_text_has_no_terms_and_bad_ranges_are_refused()
    {
        new Tokeniser(TermKind.CharactersWithinWords, 2, 5).Tokenise("   ").ShouldBeEmpty();
        new Tokeniser(TermKind.Words).Tokenise("").ShouldBeEmpty();
        Should.Throw<ArgumentException>(() => new Tokeniser(TermKind.Words, 3, 2)).Message.ShouldContain("n-gram range");
    }
}
