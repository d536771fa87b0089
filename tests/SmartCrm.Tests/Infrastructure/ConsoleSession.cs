using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using SmartCrm.Security;

namespace SmartCrm.Tests.Infrastructure;

/// <summary>
/// A person signed in to the console, with the cookies a browser would keep: the session cookie can be saved and replayed
/// later from another client, as an attacker who copied it would.
/// </summary>
public sealed partial class ConsoleSession : IDisposable
{
    private static readonly Uri Base = new("http://localhost");
    private readonly CookieContainer _cookies;

    private ConsoleSession(HttpClient client, CookieContainer cookies)
    {
        Client = client;
        _cookies = cookies;
    }

    /// <summary>Sends the browser's cookies (session and antiforgery) with every request.</summary>
    public HttpClient Client { get; }

    /// <summary>The session cookie alone, as `name=value`.</summary>
    public string SessionCookie => "smartcrm=" + _cookies.GetCookies(Base)["smartcrm"]!.Value;

    public static async Task<ConsoleSession> SignInAsync(CrmApp app, string userName, string password)
    {
        var cookies = new CookieContainer();
        var client = app.CreateDefaultClient(Base, new CookieContainerHandler(cookies));
        var response = await ConsoleLogin.SignInAsync(client, userName, password);
        if (response.StatusCode != HttpStatusCode.Redirect || response.Headers.Location?.ToString() != "/")
        {
            throw new InvalidOperationException($"{userName} could not sign in: {(int)response.StatusCode} {response.Headers.Location}");
        }
        return new ConsoleSession(client, cookies);
    }

    /// <summary>A user through the API (as an admin), then signed in to the console.</summary>
    public static async Task<(long Id, string UserName, ConsoleSession Session)> NewUserAsync(CrmApp app, HttpClient admin, Role role)
    {
        var userName = Builders.Unique("user");
        var password = "password-" + userName;
        var created = await admin.CreateAsync("/api/v1/users", new { userName, password, role = role.ToString() });
        return (created.Id(), userName, await SignInAsync(app, userName, password));
    }

    /// <summary>A client that sends only a saved session cookie (no cookie jar of its own).</summary>
    public static HttpClient Replay(CrmApp app, string sessionCookie)
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        client.DefaultRequestHeaders.Add("Cookie", sessionCookie);
        return client;
    }

    /// <summary>The antiforgery token of the console's sign-out form, read from a page as a browser would.</summary>
    public async Task<string> SignOutTokenAsync()
    {
        var page = await Client.GetStringAsync("/");
        var match = SignOutForm().Match(page);
        if (!match.Success) throw new InvalidOperationException("The page has no sign-out form with an antiforgery token.");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    public async Task<HttpResponseMessage> SignOutAsync(bool withAntiforgeryToken = true)
    {
        var fields = new Dictionary<string, string>();
        if (withAntiforgeryToken) fields["__RequestVerificationToken"] = await SignOutTokenAsync();
        return await Client.PostAsync("/account/logout", new FormUrlEncodedContent(fields));
    }

    /// <summary>Whether a client may read the customer list: 200 yes, 401 no (signed out, deactivated), 403 not its role.</summary>
    public static async Task<HttpStatusCode> ReadsCustomersAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/api/v1/customers?pageSize=1");
        return response.StatusCode;
    }

    public static async Task<HttpStatusCode> CreatesCustomerAsync(HttpClient client)
    {
        using var response = await client.PostAsJsonAsync("/api/v1/customers", new { name = Builders.Unique("Customer "), kind = "Person" });
        return response.StatusCode;
    }

    public static async Task<JsonElement> UserAsync(HttpClient admin, long id) =>
        (await admin.GetFromJsonAsync<JsonElement>("/api/v1/users")).EnumerateArray().Single(u => u.GetProperty("id").GetInt64() == id);

    public void Dispose() => Client.Dispose();

    [GeneratedRegex("action=\"/account/logout\"[^>]*>\\s*<input[^>]*name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"", RegexOptions.Singleline)]
    private static partial Regex SignOutForm();
}
