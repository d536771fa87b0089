using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using SmartCrm.Service;
using SmartCrm.Tests.Infrastructure;
using SmartCrm.Tests.Security;

namespace SmartCrm.Tests.Service;

/// <summary>Replies go out through their channel's adapter: email by SMTP to a real server, chat by a signed webhook to a real listener.</summary>
public sealed class OutboundTests
{
    private const string From = "SmartCrm Support <support@smartcrm.test>";
    private const string ChatSecret = "chat-outbound-secret-0123456789abcdef012";

    /// <summary>An app on a clock the test moves, with its log captured.</summary>
    private sealed class LoggedApp(CapturedLog log, Provider provider)
        : ClockedCrmApp(new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero)), provider)
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureLogging(logging => logging.AddProvider(log).AddFilter<CapturedLog>(null, LogLevel.Trace));
        }
    }

    private static LoggedApp EmailApp(CapturedLog log, Provider provider, int port)
    {
        var app = new LoggedApp(log, provider);
        app.Settings["Outbound:Smtp:Host"] = "127.0.0.1";
        app.Settings["Outbound:Smtp:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        app.Settings["Outbound:Smtp:Security"] = "None";
        app.Settings["Outbound:Smtp:From"] = From;
        // The test drives retries itself.
        app.Settings["Outbound:Retry"] = "false";
        return app;
    }

    private static async Task<int> SendDueAsync(CrmApp app)
    {
        using var scope = app.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<ChannelOutbox>().SendDueAsync(100, CancellationToken.None);
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task An_email_reply_goes_out_by_smtp_and_one_the_server_did_not_take_is_kept_and_sent_later(Provider provider)
    {
        var port = SmtpSink.FreePort();
        var log = new CapturedLog();
        using var app = EmailApp(log, provider, port);
        var api = app.Admin();
        var email = $"{Guid.NewGuid():N}@example.com";
        var customer = await api.CreateCustomerAsync(email: email);
        var ticket = (await api.CreateAsync("/api/v1/tickets", new { customerId = customer, kind = "Question", subject = "Heater noise" })).Id();

        // Nothing listens on the port yet: the agent's reply is stored all the same, and waits in the outbox.
        var first = await api.PostAsJsonAsync($"/api/v1/tickets/{ticket}/replies", new { body = "Please restart the heater." });
        first.StatusCode.ShouldBe(HttpStatusCode.OK, await first.Content.ReadAsStringAsync());
        var waiting = await app.WithDbAsync(db => db.OutboundMessages.SingleAsync(m => m.TicketId == ticket));
        (waiting.Status, waiting.Attempts, waiting.Recipient, waiting.Channel).ShouldBe((OutboundStatus.Pending, 1, email, "email"));
        waiting.LastError.ShouldNotBeNullOrEmpty();

        using var smtp = new SmtpSink(port);
        (await SendDueAsync(app)).ShouldBe(0, "the first retry waits a minute");
        app.Clock.Advance(TimeSpan.FromMinutes(2));
        (await SendDueAsync(app)).ShouldBe(1);
        var sent = await app.WithDbAsync(db => db.OutboundMessages.SingleAsync(m => m.TicketId == ticket));
        (sent.Status, sent.Attempts, sent.LastError).ShouldBe((OutboundStatus.Sent, 2, null));
        sent.SentAt.ShouldNotBeNull();

        // With the server up, the next reply goes at once.
        var second = await api.PostAsJsonAsync($"/api/v1/tickets/{ticket}/replies", new { body = "滤网需要更换。The filter needs changing." });
        second.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await app.WithDbAsync(db => db.OutboundMessages.CountAsync(m => m.TicketId == ticket && m.Status == OutboundStatus.Sent))).ShouldBe(2);

        var mails = smtp.Messages().Select(raw => MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(raw)))).OrderBy(m => (m.TextBody ?? "").Length).ToList();
        mails.Count.ShouldBe(2);
        mails.ShouldAllBe(m => m.To.Mailboxes.Single().Address == email && m.From.Mailboxes.Single().Address == "support@smartcrm.test");
        mails.ShouldAllBe(m => m.Subject == $"Re: #{ticket} Heater noise");
        mails.Select(m => (m.TextBody ?? "").Trim()).ShouldBe(["Please restart the heater.", "滤网需要更换。The filter needs changing."]);
        mails[0].MessageId.ShouldBe($"outbound-{sent.Id}.ticket-{ticket}@smartcrm");
        log.Text.ShouldContain("not sent on email");
    }

    [Fact]
    public async Task The_outbox_page_lists_held_sends_with_their_errors_and_an_agent_retries_one_while_a_reader_only_sees_them()
    {
        var port = SmtpSink.FreePort();
        using var app = EmailApp(new CapturedLog(), Provider.Sqlite, port);
        var api = app.Admin();
        var customer = await api.CreateCustomerAsync(email: $"{Guid.NewGuid():N}@example.com");
        var ticket = (await api.CreateAsync("/api/v1/tickets", new { customerId = customer, kind = "Question", subject = "Held reply" })).Id();
        (await api.PostAsJsonAsync($"/api/v1/tickets/{ticket}/replies", new { body = "This one waits." })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var held = await app.WithDbAsync(db => db.OutboundMessages.SingleAsync(m => m.TicketId == ticket));

        var (_, _, agent) = await ConsoleSession.NewUserAsync(app, api, SmartCrm.Security.Role.Support);
        var (_, _, reader) = await ConsoleSession.NewUserAsync(app, api, SmartCrm.Security.Role.Analyst);
        (await agent.Client.GetStringAsync("/tickets")).ShouldContain("href=\"/service/outbox\"", Case.Sensitive, "linked from the desk");
        var page = await agent.Client.GetStringAsync("/service/outbox");
        page.ShouldContain($"data-outbound=\"{held.Id}\"");
        page.ShouldContain("data-outbound-status=\"held\"");
        page.ShouldContain(System.Net.WebUtility.HtmlEncode(held.LastError!));
        page.ShouldContain($"data-retry=\"{held.Id}\"");
        var readOnly = await reader.Client.GetStringAsync("/service/outbox");
        readOnly.ShouldContain($"data-outbound=\"{held.Id}\"");
        readOnly.ShouldNotContain("data-retry=");
        using (var refused = await PostRetryAsync(reader, held.Id)) refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await app.WithDbAsync(db => db.OutboundMessages.SingleAsync(m => m.Id == held.Id))).Attempts.ShouldBe(1, "a reader's post tried nothing");

        using var smtp = new SmtpSink(port);
        using (var retried = await PostRetryAsync(agent, held.Id))
        {
            retried.StatusCode.ShouldBe(HttpStatusCode.OK);
            (await retried.Content.ReadAsStringAsync()).ShouldContain($"Message {held.Id} was sent.");
        }
        (await app.WithDbAsync(db => db.OutboundMessages.SingleAsync(m => m.Id == held.Id))).Status.ShouldBe(OutboundStatus.Sent);
        smtp.Messages().Count.ShouldBe(1);
        (await agent.Client.GetStringAsync("/service/outbox")).ShouldNotContain($"data-outbound=\"{held.Id}\"");
        (await agent.Client.GetStringAsync("/service/outbox?show=sent")).ShouldContain($"data-outbound=\"{held.Id}\"");
        agent.Client.DefaultRequestHeaders.AcceptLanguage.ParseAdd("zh-CN");
        (await agent.Client.GetStringAsync("/service/outbox")).ShouldContain("发件箱");
    }

    private static async Task<HttpResponseMessage> PostRetryAsync(ConsoleSession session, long id) =>
        await session.Client.PostAsync("/service/outbox", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "retry", ["RetryId"] = id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["__RequestVerificationToken"] = await session.SignOutTokenAsync(),
        }));

    [Fact]
    public async Task The_smtp_password_is_in_no_log_line_and_no_stored_error()
    {
        const string password = "smtp-password-never-logged-4711";
        using var smtp = new SmtpSink();
        var log = new CapturedLog();
        using var app = EmailApp(log, Provider.Sqlite, smtp.Port);
        app.Settings["Outbound:Smtp:UserName"] = "desk";
        app.Settings["Outbound:Smtp:Password"] = password;
        var api = app.Admin();
        var customer = await api.CreateCustomerAsync(email: $"{Guid.NewGuid():N}@example.com");
        var ticket = (await api.CreateAsync("/api/v1/tickets", new { customerId = customer, kind = "Question", subject = "Login" })).Id();

        // This server offers no authentication, so the send fails after the login was tried.
        (await api.PostAsJsonAsync($"/api/v1/tickets/{ticket}/replies", new { body = "Try again now." })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var waiting = await app.WithDbAsync(db => db.OutboundMessages.SingleAsync(m => m.TicketId == ticket));
        waiting.Status.ShouldBe(OutboundStatus.Pending);
        waiting.LastError.ShouldNotBeNull().ShouldNotContain(password);
        log.Text.ShouldContain("not sent on email");
        log.Text.ShouldNotContain(password);
        (await app.Admin().GetStringAsync($"/api/v1/outbox?ticketId={ticket}")).ShouldNotContain(password);
    }

    [Fact]
    public void Smtp_settings_without_a_sender_stop_the_server_at_start()
    {
        using var app = new CrmApp();
        app.Settings["Outbound:Smtp:Host"] = "127.0.0.1";
        app.Settings["Outbound:Smtp:From"] = "not an address";
        Should.Throw<Exception>(() => app.CreateClient()).ToString().ShouldContain("Outbound:Smtp:From");
        using var webhook = new CrmApp();
        webhook.Settings["Outbound:Webhooks:chat:Url"] = "http://127.0.0.1:9/x";
        webhook.Settings["Outbound:Webhooks:chat:Secret"] = "short";
        Should.Throw<Exception>(() => webhook.CreateClient()).ToString().ShouldContain("Outbound:Webhooks:chat:Secret");
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task A_chat_reply_is_posted_to_the_channels_webhook_signed_and_retried_until_it_is_taken(Provider provider)
    {
        using var listener = new WebhookSink();
        using var app = new CrmApp(provider);
        app.Settings["Channels:Secrets:chat"] = ChannelApps.Secrets["chat"];
        app.Settings["Outbound:Webhooks:chat:Url"] = listener.Url;
        app.Settings["Outbound:Webhooks:chat:Secret"] = ChatSecret;
        app.Settings["Outbound:Retry"] = "false";
        var sender = Builders.Unique("chat-user-");

        // The customer writes on the chat channel (signed, as the inbox wants it) …
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var inbound = JsonSerializer.SerializeToUtf8Bytes(new { from = sender, text = "Is my order on its way?" });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/channels/chat/messages") { Content = new ByteArrayContent(inbound) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add(SignedWebhooks.TimestampHeader, timestamp);
        request.Headers.Add(SignedWebhooks.SignatureHeader, SignedWebhooks.Sign(ChannelApps.Secrets["chat"], timestamp, inbound));
        var delivered = await app.CreateClient().SendAsync(request);
        delivered.StatusCode.ShouldBe(HttpStatusCode.Created, await delivered.Content.ReadAsStringAsync());
        var ticket = (await delivered.ReadAsync<JsonElement>()).GetProperty("ticketId").GetInt64();
        var api = app.Admin();

        // … the platform is down when the agent answers: the reply is kept …
        listener.Answer = HttpStatusCode.ServiceUnavailable;
        (await api.PostAsJsonAsync($"/api/v1/tickets/{ticket}/replies", new { body = "It left the warehouse today." })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var outbox = await api.GetFromJsonAsync<JsonElement>($"/api/v1/outbox?ticketId={ticket}");
        var waiting = outbox.EnumerateArray().ShouldHaveSingleItem();
        (waiting.GetProperty("status").GetString(), waiting.GetProperty("recipient").GetString()).ShouldBe(("Pending", sender));
        waiting.GetProperty("lastError").GetString()!.ShouldContain("503");
        listener.Received.ShouldBeEmpty();

        // … and sent once it is back.
        listener.Answer = HttpStatusCode.OK;
        var retried = await api.PostAsync($"/api/v1/outbox/{waiting.Id()}/retry", null);
        (await retried.ReadAsync<JsonElement>()).GetProperty("status").GetString().ShouldBe("Sent");
        var (headers, body) = listener.Received.ShouldHaveSingleItem();
        headers[SignedWebhooks.SignatureHeader].ShouldBe(SignedWebhooks.Sign(ChatSecret, headers[SignedWebhooks.TimestampHeader], body), "signed like the inbound webhooks");
        headers[WebhookAdapter.DeliveryHeader].ShouldBe($"outbound-{waiting.Id()}");
        var posted = JsonSerializer.Deserialize<JsonElement>(body);
        (posted.GetProperty("channel").GetString(), posted.GetProperty("to").GetString(), posted.GetProperty("text").GetString(), posted.GetProperty("ticketId").GetInt64())
            .ShouldBe(("chat", sender, "It left the warehouse today.", ticket));
        (await api.PostAsync($"/api/v1/outbox/{waiting.Id()}/retry", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        listener.Received.Count.ShouldBe(1, "a sent reply is not sent again");
    }
}
