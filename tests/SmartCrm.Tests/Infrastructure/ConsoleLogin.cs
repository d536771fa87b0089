using System.Net;
using System.Text.RegularExpressions;

namespace SmartCrm.Tests.Infrastructure;

/// <summary>Signs in through the console's own login form, antiforgery token included, as a browser would.</summary>
public static partial class ConsoleLogin
{
    public static async Task<HttpResponseMessage> SignInAsync(HttpClient client, string userName, string password, string? returnUrl = null)
    {
        var form = await client.GetStringAsync("/login");
        var token = AntiforgeryField().Match(form);
        if (!token.Success) throw new InvalidOperationException("The login page has no antiforgery token.");
        var fields = new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value),
            ["userName"] = userName,
            ["password"] = password,
            ["returnUrl"] = returnUrl ?? "",
        };
        return await client.PostAsync("/account/login", new FormUrlEncodedContent(fields));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
