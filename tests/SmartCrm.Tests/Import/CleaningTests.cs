using SmartCrm.Import;

namespace SmartCrm.Tests.Import;

public sealed class CleaningTests
{
    private readonly Cleaning _cleaning = new(new CleaningRules { PhoneRegion = "US", TimeZone = "America/New_York" });

    [Theory]
    [InlineData(" Anna.Smith@Example.COM ", "anna.smith@example.com")]
    [InlineData("<bo@example.org>", "bo@example.org")]
    [InlineData("mailto:CARL@example.net", "carl@example.net")]
    public void Emails_are_trimmed_and_lower_cased(string raw, string clean) => Cleaning.Email(raw, out _).ShouldBe(clean);

    [Theory]
    [InlineData("anna at example.com")]
    [InlineData("a@b@c.com")]
    [InlineData("anna@localhost")]
    public void Non_emails_are_left_out_with_a_reason(string raw)
    {
        Cleaning.Email(raw, out var problem).ShouldBeNull();
        problem.ShouldBe("not an email address; left out");
    }

    [Theory]
    [InlineData("(415) 555-2671", "+14155552671")]
    [InlineData("415.555.2671", "+14155552671")]
    [InlineData("+44 20 7946 0000", "+442079460000")]
    [InlineData("0044 20 7946 0000", "+442079460000")]
    [InlineData("+86 138 0013 8000", "+8613800138000")]
    public void Phones_become_E164_in_the_default_region(string raw, string e164) => _cleaning.Phone(raw, out _).ShouldBe(e164);

    [Fact]
    public void A_non_phone_is_left_out() => _cleaning.Phone("call me", out var problem).ShouldBeNull();

    [Theory]
    [InlineData("ANNA  SMITH", "Anna Smith")]
    [InlineData("anna smith", "Anna Smith")]
    [InlineData("Anna McDonald", "Anna McDonald")]
    [InlineData("王小明", "王小明")]
    public void Names_in_one_case_get_proper_case_mixed_case_is_kept(string raw, string clean) => _cleaning.Name(raw).ShouldBe(clean);

    [Theory]
    [InlineData("us", "US")]
    [InlineData("DEU", "DE")]
    [InlineData("United Kingdom", "GB")]
    [InlineData("Germany", "DE")]
    [InlineData("中国", "CN")]
    public void Countries_become_ISO_codes(string raw, string code) => Cleaning.Country(raw, out _).ShouldBe(code);

    [Theory]
    [InlineData("2024-03-04", "2024-03-04T05:00:00Z")]
    [InlineData("03/04/2024", "2024-03-04T05:00:00Z")]
    [InlineData("4 Mar 2024", "2024-03-04T05:00:00Z")]
    [InlineData("2024-07-01 12:00", "2024-07-01T16:00:00Z")]
    [InlineData("2024-07-01T12:00:00+02:00", "2024-07-01T10:00:00Z")]
    [InlineData("881250949", "1997-12-04T15:55:49Z")]
    public void Dates_in_common_formats_become_UTC_from_the_configured_zone(string raw, string utc) =>
        _cleaning.Date(raw, out _)!.Value.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture).ShouldBe(utc);

    [Fact]
    public void Day_first_reads_the_other_way()
    {
        var european = new Cleaning(new CleaningRules { DayFirst = true });
        european.Date("03/04/2024", out _)!.Value.Month.ShouldBe(4);
    }

    [Theory]
    [InlineData("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0")]
    [InlineData("+1+2", "'+1+2")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("plain", "plain")]
    public void Formulas_are_neutralised_for_spreadsheets(string raw, string safe) => Cleaning.SpreadsheetSafe(raw).ShouldBe(safe);

    [Fact]
    public void Bad_settings_are_refused_with_the_setting_named()
    {
        Should.Throw<ImportFileException>(() => new Cleaning(new CleaningRules { TimeZone = "Mars/Olympus" })).Message.ShouldContain("Mars/Olympus");
        Should.Throw<ImportFileException>(() => new Cleaning(new CleaningRules { PhoneRegion = "XX" })).Message.ShouldContain("'XX'");
    }
}
