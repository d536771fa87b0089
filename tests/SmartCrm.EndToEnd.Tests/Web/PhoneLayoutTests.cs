using Microsoft.Playwright;
using SmartCrm.EndToEnd.Tests.Infrastructure;

namespace SmartCrm.EndToEnd.Tests.Web;

/// <summary>The console is usable on a phone: no page is wider than the screen (nothing to scroll sideways for).</summary>
[Collection(BrowserCollection.Name)]
public sealed class PhoneLayoutTests(RunningCrm crm)
{
    [Theory]
    [InlineData("/")]
    [InlineData("/customers")]
    [InlineData("/customers/1")]
    [InlineData("/customers/new")]
    [InlineData("/tickets")]
    [InlineData("/pipeline")]
    [InlineData("/devices")]
    [InlineData("/alarms")]
    public async Task Pages_fit_a_phone_screen(string path)
    {
        var page = await crm.SignedInPageAsync();
        await page.SetViewportSizeAsync(390, 844);
        await page.GotoAsync(path);
        var width = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
        await RunningCrm.ScreenshotAsync(page, "phone" + path.Replace('/', '-'));
        width.ShouldBeLessThanOrEqualTo(390, $"{path} is {width}px wide on a 390px screen");
    }
}
