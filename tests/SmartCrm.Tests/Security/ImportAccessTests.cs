using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using SmartCrm.Security;
using SmartCrm.Tests.Import;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Security;

/// <summary>An import writes records of one or more kinds; it needs the write permission of each, whatever the route.</summary>
public sealed partial class ImportAccessTests(Apps apps) : IClassFixture<Apps>
{
    /// <summary>What each kind of import writes, said here independently of the code under test.</summary>
    private static readonly Dictionary<string, string[]> Writes = new()
    {
        ["customers"] = [Permissions.CustomersWrite],
        ["contacts"] = [Permissions.CustomersWrite],
        ["products"] = [Permissions.CatalogWrite],
        ["orders"] = [Permissions.OrdersWrite],
        ["interactions"] = [Permissions.InteractionsWrite],
        ["ratings"] = [Permissions.CustomersWrite],
        // A basket becomes an order of the walk-in customer, and unknown items become products.
        ["baskets"] = [Permissions.OrdersWrite, Permissions.CatalogWrite, Permissions.CustomersWrite],
    };

    private static readonly Dictionary<string, string> Files = new()
    {
        ["customers"] = "name,email\nAda Access,ada.access@example.com\n",
        ["contacts"] = "customer,name\nc-1,Bo Contact\n",
        ["products"] = "sku,name,price\nTH-100,Thermostat,0.01\n",
        ["orders"] = "customer,sku\nc-1,TH-100\n",
        ["interactions"] = "customer,subject\nc-1,Hello\n",
        ["ratings"] = "customer,sku,score\nc-1,TH-100,5\n",
        ["baskets"] = "milk,bread\n",
    };

    public static TheoryData<Role, string> RolesAndKinds()
    {
        var data = new TheoryData<Role, string>();
        foreach (var role in Enum.GetValues<Role>())
            foreach (var kind in Writes.Keys) data.Add(role, kind);
        return data;
    }

    [Theory, MemberData(nameof(RolesAndKinds))]
    public async Task An_import_needs_the_write_permission_of_every_kind_it_writes(Role role, string kind)
    {
        var app = apps.For(Provider.Sqlite);
        var client = app.ClientAs(role);
        var allowed = Writes[kind].All(p => Permissions.Allows(role, p));
        var source = Builders.Unique("acl");
        var products = await app.WithDbAsync(db => Task.FromResult(db.Products.Count()));

        var import = await client.PostAsync("/api/v1/imports", ImportRequestTests.Form(kind, Files[kind], kind + ".csv", ("source", source)));
        var preview = await client.PostAsync("/api/v1/imports/preview", ImportRequestTests.Form(kind, Files[kind], kind + ".csv"));

        if (allowed)
        {
            import.StatusCode.ShouldBeOneOf([HttpStatusCode.Created, HttpStatusCode.OK], await import.Content.ReadAsStringAsync());
            preview.StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        else
        {
            import.StatusCode.ShouldBe(HttpStatusCode.Forbidden, await import.Content.ReadAsStringAsync());
            import.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            preview.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            (await app.WithDbAsync(db => Task.FromResult(db.Products.Count()))).ShouldBe(products, "a refused import writes nothing");
        }
    }

    [Fact]
    public async Task A_sales_person_cannot_reprice_the_catalogue_through_an_import()
    {
        var app = apps.For(Provider.Sqlite);
        var sku = Builders.Unique("TH-").ToUpperInvariant();
        await app.Admin().CreateAsync("/api/v1/products", new { sku, name = "Thermostat", price = 149m });

        var response = await app.ClientAs(Role.Sales).PostAsync("/api/v1/imports",
            ImportRequestTests.Form("products", $"sku,name,price\n{sku},Thermostat,0.01\n", "p.csv", ("source", Builders.Unique("s"))));

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await app.WithDbAsync(db => Task.FromResult(db.Products.Single(p => p.Sku == sku).Price))).ShouldBe(149m);
    }

    [Fact]
    public async Task The_console_wizard_offers_and_runs_only_the_kinds_the_signed_in_user_may_write()
    {
        var app = apps.For(Provider.Sqlite);
        var userName = Builders.Unique("sales");
        (await app.Admin().PostAsync("/api/v1/users", System.Net.Http.Json.JsonContent.Create(new { userName, password = "sales-password-1", role = "Sales" })))
            .StatusCode.ShouldBe(HttpStatusCode.Created);
        var browser = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        (await ConsoleLogin.SignInAsync(browser, userName, "sales-password-1")).StatusCode.ShouldBe(HttpStatusCode.Redirect);

        var start = await browser.GetStringAsync("/imports/new");
        Options().Matches(start).Select(m => m.Groups[1].Value).ShouldBe(["Customers", "Contacts", "Orders", "Interactions", "Ratings"]);

        var upload = Guid.NewGuid().ToString("N") + ".csv";
        Directory.CreateDirectory(Path.Combine(app.DataDirectory, "uploads"));
        await File.WriteAllTextAsync(Path.Combine(app.DataDirectory, "uploads", upload), "sku,name,price\nTH-9,Thermostat,0.01\n");
        var page = await browser.GetAsync($"/imports/new?upload={upload}&kind=Products&file=p.csv");
        var html = await page.Content.ReadAsStringAsync();
        html.ShouldNotContain("data-preview");
        html.ShouldContain("data-import-error");
    }

    [GeneratedRegex("<option value=\"([A-Za-z]+)\"")]
    private static partial Regex Options();
}
