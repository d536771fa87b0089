using System.Globalization;
using Microsoft.Extensions.Localization;
using SmartCrm.Insights;
using SmartCrm.Web;

namespace SmartCrm.Tests.Insights;

public sealed class ChurnReasonTextTests
{
    /// <summary>English keys as they are, as the console shows them in English.</summary>
    private sealed class Keys : IStringLocalizer<Strings>
    {
        public LocalizedString this[string name] => new(name, name);
        public LocalizedString this[string name, params object[] arguments] => new(name, string.Format(CultureInfo.InvariantCulture, name, arguments));
        public IEnumerable<LocalizedString> GetAllStrings(bool includeParentCultures) => [];
    }

    [Theory]
    [InlineData("tickets90", 1, "1 ticket in the last 90 days")]
    [InlineData("tickets90", 3, "3 tickets in the last 90 days")]
    [InlineData("recencyDays", 1, "Last order 1 day ago")]
    [InlineData("orders365", 1.2, "1 order in the last year")]
    [InlineData("devices", 1, "1 connected device")]
    [InlineData("alarms90", 1, "1 device alarm in the last 90 days")]
    [InlineData("interactions90", 1, "1 contact with us in the last 90 days")]
    [InlineData("alarms90", 0, "0 device alarms in the last 90 days")]
    public void One_of_a_thing_reads_in_the_singular(string feature, double value, string expected)
    {
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("en-US");
        try
        {
            ChurnReasonText.Describe(new ChurnReason(feature, value, 0.5), new Keys()).ShouldBe(expected);
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }
}
