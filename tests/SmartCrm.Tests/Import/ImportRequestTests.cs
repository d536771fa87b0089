using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using FsCheck.Fluent;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Import;

/// <summary>What a client can send to the import endpoints: a mapping, a mapping name, a file, form fields; none of it reaches past its field.</summary>
public sealed class ImportRequestTests(Apps apps) : IClassFixture<Apps>
{
    internal static MultipartFormDataContent Form(string kind, string content, string fileName = "people.csv", params (string Name, string Value)[] fields)
    {
        var form = new MultipartFormDataContent { { new StringContent(kind), "kind" } };
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(content));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "file", fileName);
        foreach (var (name, value) in fields) form.Add(new StringContent(value), name);
        return form;
    }

    internal static async Task ShouldNameAsync(HttpResponseMessage response, string field)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, text);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        using var problem = JsonDocument.Parse(text);
        problem.RootElement.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue($"errors name '{field}': {text}");
    }

    [Theory]
    [InlineData("/api/v1/imports/preview", "x")]
    [InlineData("/api/v1/imports", "x")]
    [InlineData("/api/v1/imports/preview", "42")]
    [InlineData("/api/v1/imports/preview", "- a\n- b")]
    [InlineData("/api/v1/imports", "cleaning: x")]
    [InlineData("/api/v1/imports", "columns: [1, 2]")]
    public async Task A_mapping_that_is_not_a_mapping_answers_400_naming_the_field(string path, string mapping)
    {
        var app = apps.For(Provider.Sqlite);
        var response = await app.ClientAs(SmartCrm.Security.Role.Sales).PostAsync(path, Form("customers", "name,email\nAda,ada@example.com\n", fields: ("mapping", mapping)));
        await ShouldNameAsync(response, "mapping");
        (await app.CreateClient().GetAsync("/healthz")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Alias_bombs_and_deep_nesting_in_a_mapping_are_refused_at_once()
    {
        var api = apps.For(Provider.Sqlite).Admin();
        var bomb = new StringBuilder("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (var level = 'b'; level <= 'j'; level++)
        {
            var below = (char)(level - 1);
            bomb.Append(level).Append(": &").Append(level).Append(" [").Append(string.Join(", ", Enumerable.Repeat("*" + below, 9))).Append("]\n");
        }
        bomb.Append("cleaning:\n  standardise: *j\n");
        await ShouldNameAsync(await api.PostAsync("/api/v1/imports/preview", Form("customers", "name\nAda\n", fields: ("mapping", bomb.ToString()))), "mapping");
        var deep = "cleaning: " + new string('[', 5000) + new string(']', 5000);
        await ShouldNameAsync(await api.PostAsync("/api/v1/imports/preview", Form("customers", "name\nAda\n", fields: ("mapping", deep))), "mapping");
        var flowDeep = "columns: " + string.Concat(Enumerable.Repeat("{a: ", 3000)) + "x" + new string('}', 3000);
        await ShouldNameAsync(await api.PostAsync("/api/v1/imports/preview", Form("customers", "name\nAda\n", fields: ("mapping", flowDeep))), "mapping");
    }

    [Fact]
    public async Task The_map_field_names_a_built_in_mapping_and_never_opens_a_server_path()
    {
        var api = apps.For(Provider.Sqlite).Admin();
        using var onServer = new TempFile("source: read-from-a-server-path\n", extension: ".yaml");
        var response = await api.PostAsync("/api/v1/imports", Form("customers", "name,email\nAda Path,ada.path@example.com\n", fields: ("map", onServer.Path)));
        await ShouldNameAsync(response, "map");
        (await response.Content.ReadAsStringAsync()).ShouldNotContain(onServer.Path);
        await ShouldNameAsync(await api.PostAsync("/api/v1/imports", Form("customers", "name\nAda\n", fields: ("map", "/etc/passwd"))), "map");
        await ShouldNameAsync(await api.PostAsync("/api/v1/imports", Form("customers", "name\nAda\n", fields: ("map", "../../telco-churn"))), "map");

        var builtIn = await api.PostAsync("/api/v1/imports", Form("customers", "customerID,tenure,MonthlyCharges,TotalCharges\nX-1,1,2,3\n", "telco.csv",
            ("map", "telco-churn"), ("dryRun", "true")));
        builtIn.StatusCode.ShouldBe(HttpStatusCode.OK, await builtIn.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Form_fields_with_nul_or_oversized_values_answer_400_naming_them()
    {
        var api = apps.For(Provider.Sqlite).Admin();
        await ShouldNameAsync(await api.PostAsync("/api/v1/imports", Form("customers", "name\nAda\n", fields: ("source", "crm\0x"))), "source");
        await ShouldNameAsync(await api.PostAsync("/api/v1/imports", Form("customers", "name\nAda\n", fields: ("source", new string('s', 5000)))), "source");
        await ShouldNameAsync(await api.PostAsync("/api/v1/imports", Form("customers\0", "name\nAda\n")), "kind");
        var big = await api.PostAsync("/api/v1/imports/preview", Form("customers", "name\nAda\n", fields: ("mapping", "source: " + new string('m', 300_000))));
        ((int)big.StatusCode).ShouldBeInRange(400, 499, await big.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Rows_with_nul_bytes_or_lone_surrogates_are_rejected_and_the_rest_goes_in()
    {
        var app = apps.For(Provider.Sqlite);
        var api = app.Admin();
        var source = Builders.Unique("nul");
        // The NUL comes after the first 64 KB, which decide whether the file is text at all.
        var csv = $"name,email,notes\nAda Nul,ada.nul@example.com,{new string('x', 70_000)}\nBo\0b,bob.nul@example.com,\n";
        var response = await api.PostAsync("/api/v1/imports", Form("customers", csv, fields: ("source", source)));
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var run = (await response.ReadAsync<JsonElement>()).GetProperty("run");
        (run.GetProperty("imported").GetInt64(), run.GetProperty("rejected").GetInt64()).ShouldBe((1, 1));

        var jsonl = "{\"name\":\"Cy Lone\",\"email\":\"cy@example.com\"}\n{\"name\":\"Di \\ud800\",\"email\":\"di@example.com\"}\n{\"name\":\"E\\u0000\"}\n{\"name\\ud800\":\"x\"}\n";
        var second = await api.PostAsync("/api/v1/imports", Form("customers", jsonl, "people.jsonl", ("source", source + "j")));
        second.StatusCode.ShouldBe(HttpStatusCode.Created, await second.Content.ReadAsStringAsync());
        var secondRun = (await second.ReadAsync<JsonElement>()).GetProperty("run");
        (secondRun.GetProperty("imported").GetInt64(), secondRun.GetProperty("rejected").GetInt64()).ShouldBe((1, 3));
        (await app.CreateClient().GetAsync("/healthz")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Random_mappings_and_files_answer_2xx_or_4xx_and_the_server_stays_healthy(Provider provider)
    {
        var app = apps.For(provider);
        var api = app.Admin();
        var failures = new List<string>();
        var cases = HostileImports.Kind().Zip(HostileImports.Mapping()).Zip(HostileImports.File()).Sample(6, 30);
        foreach (var sample in cases)
        {
            var (kind, mapping, file) = (sample.Item1.Item1, sample.Item1.Item2, sample.Item2);
            var name = file.StartsWith('{') ? "rows.jsonl" : "rows.csv";
            foreach (var (path, fields) in new[]
            {
                ("/api/v1/imports/preview", new[] { ("mapping", mapping) }),
                ("/api/v1/imports", [("mapping", mapping), ("dryRun", "true")]),
                ("/api/v1/imports", [("source", Builders.Unique("fuzz")), ("again", "true")]),
            })
            {
                using var response = await api.PostAsync(path, Form(kind, file, name, fields));
                if ((int)response.StatusCode >= 500)
                    failures.Add($"{path} kind={kind} mapping={mapping[..Math.Min(200, mapping.Length)]} file={file[..Math.Min(200, file.Length)]} → {(int)response.StatusCode}");
            }
        }
        (await app.CreateClient().GetAsync("/healthz")).StatusCode.ShouldBe(HttpStatusCode.OK);
        failures.ShouldBeEmpty();
    }

    /// <summary>Multipart bodies that are broken as multipart: each answers a 4xx, and the server stays healthy.</summary>
    [Fact]
    public async Task Broken_multipart_bodies_answer_4xx()
    {
        var app = apps.For(Provider.Sqlite);
        var api = app.Admin();
        static ByteArrayContent Raw(string body, string contentType)
        {
            var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            return content;
        }
        var part = "--b\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\ncustomers\r\n";
        var file = "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\nContent-Type: text/csv\r\n\r\nname\r\nAda\r\n";
        var bodies = new (string Body, string ContentType)[]
        {
            ("", "multipart/form-data; boundary=b"),
            ("not multipart at all", "multipart/form-data; boundary=b"),
            (part + file, "multipart/form-data; boundary=b"),
            (part + file + "--b--\r\n", "multipart/form-data"),
            (part + file + "--b--\r\n", "multipart/form-data; boundary=" + new string('b', 500)),
            (part + "--b--\r\n", "multipart/form-data; boundary=b"),
            (file + "--b--\r\n", "multipart/form-data; boundary=b"),
            (part + file + "--b--\r\n", "application/json"),
            ("{\"kind\":\"customers\"}", "application/json"),
            ("kind=customers", "application/x-www-form-urlencoded"),
            ("--b\r\nContent-Disposition: form-data; name=\"kind\"\r\nX-Long: " + new string('h', 40_000) + "\r\n\r\ncustomers\r\n" + file + "--b--\r\n", "multipart/form-data; boundary=b"),
            (string.Concat(Enumerable.Range(0, 200).Select(i => $"--b\r\nContent-Disposition: form-data; name=\"f{i}\"\r\n\r\nx\r\n")) + part + file + "--b--\r\n", "multipart/form-data; boundary=b"),
            (part + part + file + "--b--\r\n", "multipart/form-data; boundary=b"),
            (part.Replace("customers", "customers\0", StringComparison.Ordinal) + file + "--b--\r\n", "multipart/form-data; boundary=b"),
            ("--b\r\nContent-Disposition: form-data; name=\"dryRun\"\r\n\r\nmaybe\r\n" + part + file + "--b--\r\n", "multipart/form-data; boundary=b"),
            ("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"../../../etc/passwd\0.csv\"\r\n\r\nname\r\nAda\r\n" + part + "--b--\r\n", "multipart/form-data; boundary=b"),
        };
        var failures = new List<string>();
        foreach (var path in new[] { "/api/v1/imports", "/api/v1/imports/preview" })
        {
            foreach (var (body, contentType) in bodies)
            {
                using var response = await api.PostAsync(path, Raw(body, contentType));
                if ((int)response.StatusCode >= 500) failures.Add($"{path} {contentType[..Math.Min(40, contentType.Length)]} {body[..Math.Min(80, body.Length)]} → {(int)response.StatusCode}");
            }
        }
        (await app.CreateClient().GetAsync("/healthz")).StatusCode.ShouldBe(HttpStatusCode.OK);
        failures.ShouldBeEmpty();
    }
}
