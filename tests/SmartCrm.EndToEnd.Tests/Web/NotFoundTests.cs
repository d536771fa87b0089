using Microsoft.Playwright;
using SmartCrm.EndToEnd.Tests.Infrastructure;

namespace SmartCrm.EndToEnd.Tests.Web;

/// <summary>A console address that leads nowhere answers an HTML page with status 404; the API keeps problem+json.</summary>
[Collection(BrowserCollection.Name)]
public sealed class NotFoundTests(RunningCrm crm)
{
    [Theory]
    [InlineData("/no-such-page", "Page not found")]
    [InlineData("/customers/999999999", "Customer not found.")]
    [InlineData("/customers/999999999/edit", "Customer not found.")]
    [InlineData("/devices/999999999", "Device not found.")]
    [InlineData("/imports/999999999", "Import not found.")]
    public async Task Console_pages_that_find_nothing_answer_404_in_html(string path, string message)
    {
        var page = await crm.SignedInPageAsync();
        var response = await page.GotoAsync(path);

        response!.Status.ShouldBe(404);
        (await response.HeaderValueAsync("content-type") ?? "").ShouldStartWith("text/html");
        (await page.Locator("main").InnerTextAsync()).ShouldContain(message);
        (await page.Locator("header nav").CountAsync()).ShouldBe(1, "the console's own layout, with its navigation");
        await RunningCrm.ScreenshotAsync(page, "37-not-found" + path.Replace('/', '-'));
    }

    [Fact]
    public async Task The_not_found_page_speaks_chinese()
    {
        var page = await crm.SignedInPageAsync("zh-CN");
        var response = await page.GotoAsync("/no-such-page");

        response!.Status.ShouldBe(404);
        (await page.Locator("main").InnerTextAsync()).ShouldContain("未找到该页面");
        await RunningCrm.ScreenshotAsync(page, "38-not-found-zh");
    }

    [Fact]
    public async Task Unknown_api_addresses_keep_answering_problem_json()
    {
        var page = await crm.SignedInPageAsync();
        var response = await page.APIRequest.GetAsync("/api/v1/no-such-thing");

        response.Status.ShouldBe(404);
        (response.Headers["content-type"]).ShouldStartWith("application/problem+json");
    }
}
