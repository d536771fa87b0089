using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Import;

public sealed class ImportWizardTests(Apps apps) : IClassFixture<Apps>
{
    [Theory]
    [InlineData("0123456789abcdef0123456789abcdef.csv")]
    [InlineData("../../etc/passwd")]
    [InlineData("0123456789abcdef0123456789abcdef/../../x.csv")]
    public async Task An_expired_or_unknown_upload_says_so_without_a_server_path(string upload)
    {
        var app = apps.For(Provider.Sqlite);
        var browser = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await ConsoleLogin.SignInAsync(browser, "admin", CrmApp.AdminPassword);

        var page = await browser.GetAsync($"/imports/new?upload={Uri.EscapeDataString(upload)}&kind=Customers&file=people.csv");

        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = await page.Content.ReadAsStringAsync();
        html.ShouldContain("data-import-error");
        html.ShouldContain("upload the file again");
        html.ShouldNotContain(app.DataDirectory);
        html.ShouldNotContain("uploads/");
    }
}
