using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using SmartCrm.Tests.Hosting;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Import;

public sealed class ImportsApiTests(Apps apps) : IClassFixture<Apps>
{
    private static MultipartFormDataContent Form(string kind, string content, string fileName = "people.csv", params (string Name, string Value)[] fields)
    {
        var form = new MultipartFormDataContent { { new StringContent(kind), "kind" } };
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(content));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "file", fileName);
        foreach (var (name, value) in fields) form.Add(new StringContent(value), name);
        return form;
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Post_imports_a_multipart_upload_and_the_report_downloads_as_spreadsheet_safe_csv(Provider provider)
    {
        var api = apps.For(provider).Admin();
        var domain = Builders.Unique("d") + ".example";
        var response = await api.PostAsync("/api/v1/imports", Form("customers",
            $"name,email,notes\nAnna Berg,anna@{domain},ok\nEve Mallory,=cmd|' /C calc'!A0,x\nBo Ek,bo@{domain},\"unclosed\n", fields: ("source", Builders.Unique("crm"))));

        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var summary = await response.ReadAsync<JsonElement>();
        var run = summary.GetProperty("run");
        (run.GetProperty("imported").GetInt64(), run.GetProperty("rejected").GetInt64()).ShouldBe((2, 1));
        var csv = await api.GetStringAsync(summary.GetProperty("problemsUrl").GetString());
        csv.ShouldStartWith("line,column,value,action,reason");
        csv.ShouldContain("3,email,'=cmd|' /C calc'!A0,Altered,not an email address; left out", customMessage: "a formula in a cell is neutralised on export");
        csv.ShouldNotContain(",=cmd");
        csv.ShouldContain("4,,,Rejected,a quote opened on line 4 is never closed");
    }

    [Fact]
    public async Task A_file_that_cannot_be_read_answers_400_with_the_line()
    {
        var api = apps.For(Provider.Sqlite).Admin();
        var response = await api.PostAsync("/api/v1/imports", Form("customers", "name,email\nA,a@example.com\n", fields: ("mapping", "delimiter: \";\"")));
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await response.ReadAsync<JsonElement>()).GetProperty("detail").GetString()!.ShouldStartWith("line 1: the header is a single column when split by ';'");
    }

    [Fact]
    public async Task Preview_shows_how_the_file_reads_and_the_suggested_fields()
    {
        var api = apps.For(Provider.Sqlite).Admin();
        var response = await api.PostAsync("/api/v1/imports/preview", Form("customers", "客户编号;姓名;手机\nA1;王小明;13800138000\n"));
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var preview = await response.ReadAsync<JsonElement>();
        preview.GetProperty("delimiter").GetString().ShouldBe(";");
        preview.GetProperty("suggested").EnumerateArray().Select(s => s.GetString()).ShouldBe(["externalId", "name", "phone"]);
        preview.GetProperty("rows")[0].GetProperty("fields")[1].GetString().ShouldBe("王小明");
    }

    [Fact]
    public async Task The_cli_imports_into_the_servers_data_and_exits_non_zero_when_rows_were_rejected()
    {
        using var app = new CrmApp();
        app.CreateClient().Dispose();
        using var good = new TempFile("name,email\nAnna Cli,anna.cli@example.com\n");
        using var bad = new TempFile("name,email\nBo Cli,bo.cli@example.com\n\"unclosed,x\n");

        var (ok, output) = await CommandLineTests.RunAsync("import", "customers", good.Path, "--data", app.DataDirectory);
        ok.ShouldBe(0, output);
        output.ShouldContain("rows read 1, imported 1");
        var (rejected, second) = await CommandLineTests.RunAsync("import", "customers", bad.Path, "--data", app.DataDirectory, "--all-or-nothing");
        rejected.ShouldBe(2, second);
        second.ShouldContain("Rolled back");
        second.ShouldContain("line 3");
        var (broken, third) = await CommandLineTests.RunAsync("import", "ratings", good.Path, "--data", app.DataDirectory);
        broken.ShouldBe(1, third);
        third.ShouldContain("no column maps to the required field 'customer'");

        var names = await app.WithDbAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(
            System.Linq.Queryable.Select(db.Customers, c => c.Name)));
        names.ShouldContain("Anna Cli");
        names.ShouldNotContain("Bo Cli");
    }
}
