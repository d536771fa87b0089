using System.Net;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Web;

public sealed partial class ConsoleLanguageTests(Apps apps) : IClassFixture<Apps>
{
    [Fact]
    public async Task The_browsers_language_chooses_the_console_language_until_the_user_picks_one()
    {
        var client = apps.For(Provider.Sqlite).CreateClient();
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd("zh-CN,zh;q=0.9,en;q=0.5");
        var chinese = await client.GetAsync("/login");
        chinese.Content.Headers.ContentLanguage.ShouldContain("zh-Hans");
        var html = await chinese.Content.ReadAsStringAsync();
        html.ShouldContain("登录");
        html.ShouldContain("lang=\"zh-Hans\"");

        var picked = await client.GetAsync("/culture?name=en&returnUrl=/login");
        picked.StatusCode.ShouldBe(HttpStatusCode.OK, "the redirect is followed to the login page");
        var english = await client.GetStringAsync("/login");
        english.ShouldContain("Sign in");
        english.ShouldNotContain("登录");
    }

    [Fact]
    public async Task Unknown_languages_fall_back_to_english()
    {
        var client = apps.For(Provider.Sqlite).CreateClient();
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd("fi-FI");
        (await client.GetStringAsync("/login")).ShouldContain("Sign in");
        (await client.GetAsync("/culture?name=xx")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public void Every_string_the_pages_show_is_in_both_resource_files()
    {
        var source = SourceTree.Find("src/SmartCrm");
        var used = Directory.EnumerateFiles(source, "*.razor", SearchOption.AllDirectories)
            .SelectMany(f => LocalizedString().Matches(File.ReadAllText(f)).Select(m => (File: Path.GetFileName(f), Key: m.Groups[1].Value)))
            .ToList();
        used.Count.ShouldBeGreaterThan(50);
        foreach (var resx in new[] { "Strings.resx", "Strings.zh-Hans.resx" })
        {
            var names = XDocument.Load(Path.Combine(source, "Web", resx)).Root!.Elements("data").Select(d => (string)d.Attribute("name")!).ToList();
            // The resource build compares names without case and drops the later one: "due" beside "Due" was lost (a warning, no error).
            names.GroupBy(n => n, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => string.Join(" = ", g))
                .ShouldBeEmpty($"names in {resx} that differ only in case");
            var keys = names.ToHashSet();
            var missing = used.Where(u => !keys.Contains(u.Key)).Select(u => $"{u.File}: {u.Key}").Distinct().ToList();
            missing.ShouldBeEmpty($"strings missing from {resx}");
        }
    }

    [GeneratedRegex("""L\["((?:[^"\\]|\\.)+)"\]""")]
    private static partial Regex LocalizedString();
}
