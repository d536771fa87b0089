using SmartCrm.Web;

namespace SmartCrm.Tests.Web;

public sealed class FigureTests
{
    [Fact]
    public void Csv_quotes_what_needs_quoting_and_never_hands_a_spreadsheet_a_formula()
    {
        // Telemetry keys come from devices: one named like a formula must arrive as text.
        var figure = new Figure("history", "time (Asia/Shanghai)", ["=HYPERLINK(\"x\")", "a,b"],
            [new Figure.Row("2030-06-15 19:10", [21.5, -3]), new Figure.Row("@sum", [0.1234567, 1e6])]);

        figure.ToCsv().ShouldBe(
            "time (Asia/Shanghai),\"'=HYPERLINK(\"\"x\"\")\",\"a,b\"\r\n" +
            "2030-06-15 19:10,21.5,-3\r\n" +
            "'@sum,0.123457,1000000\r\n");
    }
}
