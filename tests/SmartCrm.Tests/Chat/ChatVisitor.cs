using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Chat;

/// <summary>A visitor of the chat page with a browser's cookie jar (chat session and antiforgery), not signed in.</summary>
public sealed partial class ChatVisitor : IDisposable
{
    private readonly HttpClient _client;

    public ChatVisitor(CrmApp app) => _client = app.CreateDefaultClient(new Uri("http://localhost"), new CookieContainerHandler(new CookieContainer()));

    public Task<string> PageAsync() => _client.GetStringAsync("/chat");

    /// <summary>Posts the chat form as the page's own form would (with its antiforgery token); answers the redirect's target.</summary>
    public async Task<string> SendAsync(string text, bool askPerson = false, bool withToken = true)
    {
        var fields = new Dictionary<string, string> { ["text"] = text };
        if (askPerson) fields["askPerson"] = "true";
        return await PostAsync("/chat/send", fields, withToken);
    }

    public Task<string> IdentifyAsync(string? name, string? email) =>
        PostAsync("/chat/identify", new Dictionary<string, string> { ["name"] = name ?? "", ["email"] = email ?? "" }, true);

    public async Task<HttpResponseMessage> PostRawAsync(string path, Dictionary<string, string> fields, bool withToken)
    {
        if (withToken) fields["__RequestVerificationToken"] = await TokenAsync();
        return await _client.PostAsync(path, new FormUrlEncodedContent(fields));
    }

    private async Task<string> PostAsync(string path, Dictionary<string, string> fields, bool withToken)
    {
        using var response = await PostRawAsync(path, fields, withToken);
        if (response.StatusCode != HttpStatusCode.Redirect) return $"{(int)response.StatusCode}";
        return response.Headers.Location!.ToString();
    }

    private async Task<string> TokenAsync()
    {
        var match = Token().Match(await PageAsync());
        if (!match.Success) throw new InvalidOperationException("The chat page has no antiforgery token.");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    public HttpClient Client => _client;

    public void Dispose() => _client.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex Token();
}
