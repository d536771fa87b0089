using System.Text.Json;
using Microsoft.Playwright;

namespace SmartCrm.EndToEnd.Tests.Infrastructure;

/// <summary>The REST API called with the signed-in page's cookie, to arrange records and read totals.</summary>
public static class Api
{
    public static async Task<JsonElement> PostAsync(IPage page, string path, object body)
    {
        var response = await page.APIRequest.PostAsync(path, new() { DataObject = body });
        response.Status.ShouldBe(201, await response.TextAsync());
        return (await response.JsonAsync())!.Value;
    }

    public static async Task<JsonElement> GetAsync(IPage page, string path)
    {
        var response = await page.APIRequest.GetAsync(path);
        response.Status.ShouldBe(200, await response.TextAsync());
        return (await response.JsonAsync())!.Value;
    }

    /// <summary>The total of a list endpoint with its filters.</summary>
    public static async Task<int> TotalAsync(IPage page, string path) =>
        (await GetAsync(page, path + (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "pageSize=1")).GetProperty("total").GetInt32();
}
