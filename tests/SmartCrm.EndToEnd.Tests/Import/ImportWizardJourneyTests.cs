using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using SmartCrm.EndToEnd.Tests.Infrastructure;

namespace SmartCrm.EndToEnd.Tests.Import;

/// <summary>
/// A person brings a telco export into the CRM through the console: upload, preview with suggested fields, check (the problems),
/// confirm, watch it run; then finds the planted duplicates in the review queue, merges one and sees it on the customer's 360.
/// </summary>
public sealed partial class ImportWizardJourneyTests(RunningCrm crm) : IClassFixture<RunningCrm>
{
    [Fact]
    public async Task Import_a_telco_export_see_its_problems_confirm_and_merge_the_planted_duplicates()
    {
        var tag = Guid.NewGuid().ToString("N")[..6];
        var file = Path.Combine(Path.GetTempPath(), $"telco-{tag}.csv");
        await File.WriteAllTextAsync(file, TelcoLike(tag), new UTF8Encoding(true));
        var page = await crm.SignedInPageAsync();

        await page.GotoAsync("/imports");
        await page.GetByRole(AriaRole.Link, new() { Name = "New import" }).ClickAsync();
        await page.Locator("select[name=kind]").SelectOptionAsync("Customers");
        await page.Locator("input[type=file]").SetInputFilesAsync(file);
        await RunningCrm.ScreenshotAsync(page, "20-import-upload");
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload" }).ClickAsync();

        await page.WaitForURLAsync(new Regex("/imports/new\\?upload="));
        (await page.Locator("[data-preview] tbody tr").CountAsync()).ShouldBe(10, "the first rows are previewed");
        (await page.Locator("select[name=map_0]").InputValueAsync()).ShouldBe("externalId", "customerID is recognised");
        (await page.Locator("select[name=map_1]").InputValueAsync()).ShouldBe("name");
        (await page.Locator("select[name=map_4]").InputValueAsync()).ShouldBe("attribute", "unknown columns are kept as attributes");
        await page.Locator("input[name=source]").FillAsync($"telco-{tag}");
        await RunningCrm.ScreenshotAsync(page, "21-import-mapping");

        await page.GetByRole(AriaRole.Button, new() { Name = "Check" }).ClickAsync();
        await page.Locator("[data-check]").WaitForAsync();
        (await page.Locator("[data-figure=rows]").InnerTextAsync()).ShouldBe("25");
        var findings = await page.Locator("[data-problems]").InnerTextAsync();
        findings.ShouldContain("missing value", customMessage: "the blank TotalCharges are shown");
        findings.ShouldContain("not an email address");
        findings.ShouldContain("expected 8 fields, found 7");
        await RunningCrm.ScreenshotAsync(page, "22-import-check");

        await page.GetByRole(AriaRole.Button, new() { Name = "Import", Exact = true }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/imports/\\d+$"));
        await page.Locator("[data-import-status=Completed]").WaitForAsync(new() { Timeout = 30_000 });
        (await page.Locator("[data-figure=rejected]").InnerTextAsync()).ShouldBe("1");
        (await page.Locator("[data-figure=merged]").InnerTextAsync()).ShouldBe("1", "the row with the same email was merged at once");
        (await page.Locator("[data-figure=review]").InnerTextAsync()).ShouldBe("1");
        await RunningCrm.ScreenshotAsync(page, "23-import-done");

        await page.GetByRole(AriaRole.Link, new() { Name = "Review possible duplicates" }).ClickAsync();
        var pair = page.Locator("[data-candidate]").Filter(new() { HasText = $"Gabler{tag}" });
        (await pair.CountAsync()).ShouldBe(1);
        await RunningCrm.ScreenshotAsync(page, "24-review-queue");
        await pair.GetByRole(AriaRole.Button, new() { Name = "Merge" }).ClickAsync();
        (await page.Locator("[data-review-message]").InnerTextAsync()).ShouldStartWith("Merged #");
        (await page.Locator("[data-candidate]").Filter(new() { HasText = $"Gabler{tag}" }).CountAsync()).ShouldBe(0);

        await page.GotoAsync($"/customers?q=Gabler{tag}");
        var links = page.Locator("table.list tbody a");
        (await links.CountAsync()).ShouldBe(1, "one customer is left of the two");
        await links.First.ClickAsync();
        await page.Locator("[data-merges]").WaitForAsync();
        (await page.Locator("[data-merges]").InnerTextAsync()).ShouldContain("into this customer");
        (await page.Locator("[data-field-sources]").InnerTextAsync()).ShouldContain($"telco-{tag}");
        await RunningCrm.ScreenshotAsync(page, "25-merged-customer-360");
        File.Delete(file);
    }

    /// <summary>
    /// Telco columns with names and emails: two blank TotalCharges, a bad email, a short row (rejected), one row that is an earlier one again
    /// with the same email (merged) and one whose name differs by a letter with nothing else to go on (review).
    /// </summary>
    private static string TelcoLike(string tag)
    {
        var lines = new List<string> { "customerID,name,email,gender,tenure,Contract,MonthlyCharges,TotalCharges" };
        string[] first = ["Ada", "Ben", "Cleo", "Dan", "Eva", "Finn", "Gus", "Hana", "Ivo", "Jana", "Kai", "Lea", "Max", "Nina", "Otto", "Pia", "Rolf", "Sara", "Tom", "Uma"];
        for (var i = 0; i < first.Length; i++)
        {
            var total = i is 3 or 11 ? " " : (29.85 * (i + 1)).ToString("0.00", CultureInfo.InvariantCulture);
            lines.Add($"{1000 + i}-{tag.ToUpperInvariant()},{first[i]} Tester{tag},{first[i].ToLowerInvariant()}.{tag}@example.com,F,{i + 1},Month-to-month,29.85,{total}");
        }
        lines.Add($"2001-{tag},Hedda Gabler{tag},,F,3,One year,50.10,150.30");
        lines.Add($"2002-{tag},Heda Gabler{tag},,F,4,One year,50.10,200.40");
        lines.Add($"2003-{tag},Ada Tester{tag},ada.{tag}@example.com,F,1,Month-to-month,29.85,29.85");
        lines.Add($"2004-{tag},Bad Mail{tag},not-an-email,M,2,Two year,20.00,40.00");
        lines.Add($"2005-{tag},Short Row{tag},short.{tag}@example.com,M,2,Two year,20.00");
        return string.Join('\n', lines) + "\n";
    }
}
