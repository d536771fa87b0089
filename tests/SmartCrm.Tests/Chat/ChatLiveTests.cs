using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SmartCrm.Chat;
using SmartCrm.Security;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Chat;

/// <summary>The live views' event streams: woken by the change feed rather than polling, and bounded per chat and in all.</summary>
public sealed class ChatLiveTests
{
    private static async Task<string> NextStampAsync(StreamReader reader, TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal)) return line["data: ".Length..];
        }
        throw new EndOfStreamException("The stream ended.");
    }

    [Fact]
    public async Task An_agents_reply_reaches_the_open_chat_page_and_console_streams_at_once_while_idle_streams_do_not_look_at_the_database()
    {
        using var app = new CrmApp();
        // The cross-node fallback cannot be what brings the reply: only this node's change feed can.
        app.Settings["Chat:PollSeconds"] = "3600";
        var admin = app.Admin();
        using var visitor = new ChatVisitor(app);
        (await visitor.SendAsync("Zyxqv " + Builders.Unique("live"), askPerson: true)).ShouldBe("/chat");
        var ticket = await app.WithDbAsync(db => db.ChatSessions.Where(s => s.TicketId != null).Select(s => s.TicketId!.Value).SingleAsync());
        var (_, _, agent) = await ConsoleSession.NewUserAsync(app, admin, Role.Support);

        using var page = await visitor.Client.GetAsync("/chat/events", HttpCompletionOption.ResponseHeadersRead);
        using var pageEvents = new StreamReader(await page.Content.ReadAsStreamAsync());
        using var console = await agent.Client.GetAsync("/service/chat/events", HttpCompletionOption.ResponseHeadersRead);
        using var consoleEvents = new StreamReader(await console.Content.ReadAsStreamAsync());
        var pageFirst = await NextStampAsync(pageEvents, TimeSpan.FromSeconds(10));
        var consoleFirst = await NextStampAsync(consoleEvents, TimeSpan.FromSeconds(10));

        var streams = app.Services.GetRequiredService<ChatStreams>();
        var looks = streams.Looks;
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        streams.Looks.ShouldBe(looks, "two open streams, nothing changed: no look at the database (the old streams looked every second)");

        var watch = Stopwatch.StartNew();
        (await admin.PostAsJsonAsync($"/api/v1/tickets/{ticket}/replies", new { body = "On it." })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var pageNext = await NextStampAsync(pageEvents, TimeSpan.FromSeconds(5));
        var consoleNext = await NextStampAsync(consoleEvents, TimeSpan.FromSeconds(5));
        watch.Stop();
        pageNext.ShouldNotBe(pageFirst);
        consoleNext.ShouldNotBe(consoleFirst);
        watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(2), "the reply's own request woke both streams");
        (streams.Looks - looks).ShouldBeLessThanOrEqualTo(4, "one look per stream per change (the reply request publishes once or twice)");
    }

    [Fact]
    public async Task Anonymous_streams_are_bounded_per_chat_and_in_all_and_the_extra_ones_are_refused_with_a_clear_status()
    {
        using var app = new CrmApp();
        app.Settings["Chat:MaxStreamsPerSession"] = "2";
        app.Settings["Chat:MaxStreams"] = "3";
        using var one = new ChatVisitor(app);
        using var two = new ChatVisitor(app);
        using var three = new ChatVisitor(app);
        foreach (var visitor in new[] { one, two, three }) (await visitor.SendAsync(" ")).ShouldBe("/chat?problem=empty", "a chat session, nothing said");

        static Task<HttpResponseMessage> OpenAsync(ChatVisitor visitor) => visitor.Client.GetAsync("/chat/events", HttpCompletionOption.ResponseHeadersRead);
        var first = await OpenAsync(one);
        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var second = await OpenAsync(one);
        second.StatusCode.ShouldBe(HttpStatusCode.OK);
        using (var extra = await OpenAsync(one))
        {
            extra.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
            (await extra.Content.ReadAsStringAsync()).ShouldContain("This chat already has 2 live views open");
        }
        using var other = await OpenAsync(two);
        other.StatusCode.ShouldBe(HttpStatusCode.OK);
        using (var full = await OpenAsync(three))
        {
            full.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, "three open in all");
            (await full.Content.ReadAsStringAsync()).ShouldContain("Too many live chat views are open on this server");
        }

        // A closed tab gives its place back.
        first.Dispose();
        var streams = app.Services.GetRequiredService<ChatStreams>();
        for (var i = 0; i < 50 && streams.Open > 2; i++) await Task.Delay(100);
        using var again = await OpenAsync(three);
        again.StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
