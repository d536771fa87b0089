using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Overview;

/// <summary>
/// The product list and a product's page: what it sold in the last twelve months (cancelled, returned and older orders left
/// out), per month, who bought it, and how many of it are in the field.
/// </summary>
public sealed class ProductPageTests
{
    private static readonly DateTimeOffset Now = new(2030, 6, 15, 12, 0, 0, TimeSpan.Zero);

    public static TheoryData<Provider> Providers => Apps.Providers;

    private static DateTime At(int year, int month, int day) => new(year, month, day, 10, 0, 0, DateTimeKind.Utc);

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_products_page_shows_its_sales_of_the_last_twelve_months_its_buyers_and_its_devices_in_the_field(Provider provider)
    {
        using var app = new ClockedCrmApp(new FakeTimeProvider(Now), provider);
        var admin = app.Admin();
        var sku = Builders.Unique("HEAT-").ToUpperInvariant();
        var heater = (await admin.CreateAsync("/api/v1/products", new { sku, name = Builders.Unique("Heater "), kind = "Device", price = 100m })).Id();
        var filter = await admin.CreateProductAsync(20m, "Accessory");
        var regular = await admin.CreateCustomerAsync(Builders.Unique("Regular "));
        var other = await admin.CreateCustomerAsync(Builders.Unique("Other "));
        await admin.CreateOrderAsync(regular, heater, 2, At(2030, 6, 10));
        await admin.CreateOrderAsync(regular, heater, 1, At(2030, 5, 5));
        await admin.CreateOrderAsync(other, heater, 5, At(2030, 6, 12), status: "Cancelled");
        await admin.CreateOrderAsync(other, heater, 7, At(2030, 6, 13), status: "Returned");
        await admin.CreateOrderAsync(other, heater, 1, At(2029, 3, 1)); // before the twelve months
        await admin.CreateOrderAsync(other, heater, 1, At(2029, 6, 20)); // within a year, but in the month before the twelve shown
        await admin.CreateOrderAsync(other, filter, 4, At(2030, 6, 14));
        await admin.CreateDeviceAsync(regular, model: sku);
        await admin.CreateDeviceAsync(regular, model: sku);
        await admin.CreateDeviceAsync(other, model: "OTHER-1");

        using var console = await ConsoleSession.SignInAsync(app, "admin", CrmApp.AdminPassword);
        var page = await console.Client.GetStringAsync($"/products/{heater}");
        page.ShouldContain("data-units-year>3<");
        page.ShouldContain("$300");
        MonthUnits(page, "2030-06").ShouldBe("2");
        MonthUnits(page, "2030-05").ShouldBe("1");
        MonthUnits(page, "2029-07").ShouldBe("0", "the first of the twelve months, with no sale");
        page.ShouldNotContain("data-row=\"2029-06\"", Case.Sensitive, "thirteen months back is not shown");
        page.ShouldContain($"data-buyer=\"{regular}\"");
        page.ShouldNotContain($"data-buyer=\"{other}\"", Case.Sensitive, "their heater orders were cancelled, returned or too old");
        page.ShouldContain($"href=\"/devices?model={sku}\"");
        page.ShouldContain("2 devices, 0 online, 0 with open alarms");
        page.ShouldContain("data-no-forecast", Case.Sensitive, "no demand model trained");

        var list = await console.Client.GetStringAsync("/products?sort=-units");
        var heaterAt = list.IndexOf($"data-product=\"{heater}\"", StringComparison.Ordinal);
        var filterAt = list.IndexOf($"data-product=\"{filter}\"", StringComparison.Ordinal);
        heaterAt.ShouldBeGreaterThan(0);
        Regex.Match(list[heaterAt..], "data-units>([^<]*)<").Groups[1].Value.ShouldBe("3", "the list counts the months the page and its chart show");
        filterAt.ShouldBeInRange(0, heaterAt, "four filters sold before three heaters");
        var accessories = await console.Client.GetStringAsync("/products?kind=Accessory");
        accessories.ShouldContain($"data-product=\"{filter}\"");
        accessories.ShouldNotContain($"data-product=\"{heater}\"");

        var missing = await console.Client.GetAsync("/products/987654321");
        missing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    /// <summary>The units cell of a month's row in the table under the sales chart.</summary>
    private static string MonthUnits(string page, string month)
    {
        var match = Regex.Match(page, $"data-row=\"{month}\">\\s*<td>[^<]*</td>\\s*<td class=\"number\">([^<]*)</td>");
        match.Success.ShouldBeTrue($"a row for {month}");
        return match.Groups[1].Value;
    }
}
