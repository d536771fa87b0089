using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Interactions;
using SmartCrm.Service;
using SmartCrm.Tests.Infrastructure;
using SmartCrm.Tickets;

namespace SmartCrm.Tests.Service;

/// <summary>Apps with the email, chat, wechat and phone channels on (transcript stays off).</summary>
public sealed class ChannelApps : Apps
{
    public static readonly Dictionary<string, string> Secrets = new()
    {
        ["email"] = "email-secret-0123456789abcdef0123456789",
        ["chat"] = "chat-secret-0123456789abcdef0123456789ab",
        ["wechat"] = "wechat-secret-0123456789abcdef012345678",
        ["phone"] = "phone-secret-0123456789abcdef01234567890",
    };

    protected override void Configure(CrmApp app)
    {
        foreach (var (channel, secret) in Secrets) app.Settings[$"Channels:Secrets:{channel}"] = secret;
    }
}

/// <summary>The one inbox: signed channel webhooks thread into the right customer and ticket, and bad ones are refused.</summary>
public sealed class ChannelInboxTests(ChannelApps apps) : IClassFixture<ChannelApps>
{
    private static async Task<HttpResponseMessage> PostAsync(CrmApp app, string channel, string json, long? at = null, string? secret = null, string? signature = null)
    {
        var timestamp = (at ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds()).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var body = Encoding.UTF8.GetBytes(json);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/channels/{channel}/messages") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add(SignedWebhooks.TimestampHeader, timestamp);
        request.Headers.Add(SignedWebhooks.SignatureHeader, signature ?? SignedWebhooks.Sign(secret ?? ChannelApps.Secrets.GetValueOrDefault(channel, "x"), timestamp, body));
        return await app.CreateClient().SendAsync(request);
    }

    private static Task<HttpResponseMessage> SendAsync(CrmApp app, string channel, object message) => PostAsync(app, channel, JsonSerializer.Serialize(message));

    private static async Task<string> ProblemAsync(HttpResponseMessage response)
    {
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        return await response.Content.ReadAsStringAsync();
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task An_email_from_a_customer_opens_a_ticket_and_the_next_one_joins_it_and_the_reply_goes_on_the_timeline(Provider provider)
    {
        var app = apps.For(provider);
        var email = $"{Guid.NewGuid():N}@example.com";
        var customer = await app.Admin().CreateCustomerAsync(email: email);

        var first = await SendAsync(app, "email", new { from = email.ToUpperInvariant(), subject = "Heater <b>noise</b>", text = "It <script>alert(1)</script> rattles at night." });
        first.StatusCode.ShouldBe(HttpStatusCode.Created, await first.Content.ReadAsStringAsync());
        var delivered = await first.ReadAsync<JsonElement>();
        delivered.GetProperty("customerId").GetInt64().ShouldBe(customer);
        delivered.GetProperty("newTicket").GetBoolean().ShouldBeTrue();
        var ticketId = delivered.GetProperty("ticketId").GetInt64();

        var ticket = await app.Admin().GetFromJsonAsync<JsonElement>($"/api/v1/tickets/{ticketId}");
        (ticket.GetProperty("channel").GetString(), ticket.GetProperty("subject").GetString()).ShouldBe(("email", "Heater <b>noise</b>"));
        await app.Admin().PostAsJsonAsync($"/api/v1/tickets/{ticketId}/replies", new { body = "Which model is it?", status = "Pending" });

        var second = await SendAsync(app, "email", new { from = email, text = "The TH-100." });
        var threaded = await second.ReadAsync<JsonElement>();
        (threaded.GetProperty("ticketId").GetInt64(), threaded.GetProperty("newTicket").GetBoolean()).ShouldBe((ticketId, false));
        (await app.Admin().GetFromJsonAsync<JsonElement>($"/api/v1/tickets/{ticketId}")).GetProperty("status").GetString()
            .ShouldBe("Open", "the customer answered: the ticket no longer waits on them");

        var messages = await app.Admin().GetFromJsonAsync<JsonElement>($"/api/v1/tickets/{ticketId}/messages");
        messages.EnumerateArray().Select(m => m.GetProperty("kind").GetString()).ShouldBe(["Inbound", "Reply", "Inbound"]);
        messages[0].GetProperty("body").GetString().ShouldBe("It <script>alert(1)</script> rattles at night.", "stored as text");
        var timeline = await app.WithDbAsync(db => db.Interactions.Where(i => i.CustomerId == customer).OrderBy(i => i.Id).ToListAsync());
        timeline.Select(i => (i.Direction, i.Channel)).ShouldBe([(Direction.Inbound, Channel.Email), (Direction.Outbound, Channel.Email), (Direction.Inbound, Channel.Email)]);
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task A_message_is_triaged_on_arrival_with_its_reasons(Provider provider)
    {
        // The triage job is off in tests: a decision present at once was made by the channel's arrival itself.
        var app = apps.For(provider);
        var email = $"{Guid.NewGuid():N}@example.com";
        await app.Admin().CreateCustomerAsync(email: email);

        var response = await SendAsync(app, "email", new { from = email, subject = "Heater leaking", text = "Water is leaking from the heater, it is urgent, please help now." });
        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        var ticketId = (await response.ReadAsync<JsonElement>()).GetProperty("ticketId").GetInt64();

        var triage = await app.Admin().GetFromJsonAsync<JsonElement>($"/api/v1/tickets/{ticketId}/triage");
        triage.GetProperty("category").GetString().ShouldNotBeNullOrEmpty();
        triage.GetProperty("reasons").EnumerateArray().ShouldNotBeEmpty("the urgency in the text raised the score, and says so");
        triage.GetProperty("score").GetInt32().ShouldBeGreaterThan(20, "above the base score of a ticket with no cue");
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task A_wechat_sender_nobody_knows_becomes_a_lead_and_their_next_message_finds_them(Provider provider)
    {
        var app = apps.For(provider);
        var sender = Builders.Unique("wxid_");
        var first = await (await SendAsync(app, "wechat", new { from = sender, text = "你好，我的空气净化器坏了", externalId = Builders.Unique("m") })).ReadAsync<JsonElement>();
        first.GetProperty("newCustomer").GetBoolean().ShouldBeTrue();
        var lead = await app.WithDbAsync(db => db.Customers.SingleAsync(c => c.Id == first.GetProperty("customerId").GetInt64()));
        lead.Name.ShouldBe(sender);
        lead.Tags.ShouldBe(["lead", "wechat"]);

        var second = await (await SendAsync(app, "wechat", new { from = sender, text = "型号 AP-200" })).ReadAsync<JsonElement>();
        (second.GetProperty("customerId").GetInt64(), second.GetProperty("ticketId").GetInt64(), second.GetProperty("newCustomer").GetBoolean())
            .ShouldBe((lead.Id, first.GetProperty("ticketId").GetInt64(), false));

        var reply = await app.Admin().PostAsJsonAsync($"/api/v1/tickets/{second.GetProperty("ticketId").GetInt64()}/replies", new { body = "请重启一下" });
        reply.StatusCode.ShouldBe(HttpStatusCode.OK);
        var outbound = await app.WithDbAsync(db => db.Interactions.SingleAsync(i => i.CustomerId == lead.Id && i.Direction == Direction.Outbound));
        outbound.Channel.ShouldBe(Channel.Social, "replies go out (as a record for now) on the channel the ticket came in by");
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task A_phone_note_from_a_known_number_threads_into_that_customer(Provider provider)
    {
        var app = apps.For(provider);
        var phone = "+44 20 " + Random.Shared.Next(1000_0000, 9999_9999);
        var customer = await app.Admin().CreateCustomerAsync(phone: phone);
        var response = await SendAsync(app, "phone", new { from = phone, text = "Caller asked for a callback about the invoice." });
        (await response.ReadAsync<JsonElement>()).GetProperty("customerId").GetInt64().ShouldBe(customer);
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Unsigned_forged_stale_and_replayed_webhooks_are_refused_and_store_nothing(Provider provider)
    {
        var app = apps.For(provider);
        var sender = $"{Guid.NewGuid():N}@example.com";
        var json = JsonSerializer.Serialize(new { from = sender, text = "hello" });
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        using (var unsigned = new HttpRequestMessage(HttpMethod.Post, "/api/v1/channels/email/messages") { Content = new StringContent(json, Encoding.UTF8, "application/json") })
        {
            var response = await app.CreateClient().SendAsync(unsigned);
            response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
            (await ProblemAsync(response)).ShouldContain(SignedWebhooks.TimestampHeader);
        }
        (await PostAsync(app, "email", json, secret: "another-secret-0123456789abcdef0123456789")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await PostAsync(app, "email", json, secret: ChannelApps.Secrets["chat"])).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "each channel has its own secret");
        (await PostAsync(app, "email", json, at: now - 3600)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "an hour old");
        (await PostAsync(app, "email", json, at: now + 3600)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "from the future");
        var tampered = await PostAsync(app, "email", json.Replace("hello", "HELLO", StringComparison.Ordinal), at: now,
            signature: SignedWebhooks.Sign(ChannelApps.Secrets["email"], now.ToString(System.Globalization.CultureInfo.InvariantCulture), Encoding.UTF8.GetBytes(json)));
        tampered.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "the body changed after signing");
        (await app.WithDbAsync(db => db.Customers.CountAsync(c => c.Email == sender))).ShouldBe(0, "nothing refused was stored");

        (await PostAsync(app, "email", json, at: now)).StatusCode.ShouldBe(HttpStatusCode.Created);
        var replay = await PostAsync(app, "email", json, at: now);
        replay.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await ProblemAsync(replay)).ShouldContain("replay");
        (await app.WithDbAsync(db => db.TicketMessages.CountAsync(m => m.Author == sender))).ShouldBe(1);
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Empty_enormous_and_malformed_messages_answer_400_naming_the_field(Provider provider)
    {
        var app = apps.For(provider);
        async Task ExpectAsync(object message, string field)
        {
            var response = await SendAsync(app, "chat", message);
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, JsonSerializer.Serialize(message)[..Math.Min(80, JsonSerializer.Serialize(message).Length)]);
            var problem = JsonDocument.Parse(await ProblemAsync(response)).RootElement;
            problem.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue($"names {field}");
        }
        await ExpectAsync(new { from = "visitor-1", text = "   " }, "text");
        await ExpectAsync(new { from = "visitor-1" }, "text");
        await ExpectAsync(new { from = "visitor-1", text = new string('x', 8001) }, "text");
        await ExpectAsync(new { from = "visitor-1", text = new string('x', 200_000) }, "text");
        await ExpectAsync(new { text = "hello" }, "from");
        await ExpectAsync(new { from = "visitor-1", text = "a\u0000b" }, "text");
        await ExpectAsync(new { from = "visitor-1", text = "hi", subject = new string('s', 301) }, "subject");
        var notJson = await PostAsync(app, "chat", "{\"from\":");
        notJson.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Unknown_and_disabled_channels_answer_404_problems(Provider provider)
    {
        var app = apps.For(provider);
        var unknown = await SendAsync(app, "pigeon", new { from = "a", text = "b" });
        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await ProblemAsync(unknown)).ShouldContain("pigeon");
        (await SendAsync(app, "transcript", new { from = "a", text = "b" })).StatusCode.ShouldBe(HttpStatusCode.NotFound, "no secret configured: off");
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task A_message_sent_again_with_its_external_id_is_stored_once(Provider provider)
    {
        var app = apps.For(provider);
        var message = new { from = Builders.Unique("chat-user-"), text = "Is my order shipped?", externalId = Builders.Unique("msg-") };
        var first = await SendAsync(app, "chat", message);
        first.StatusCode.ShouldBe(HttpStatusCode.Created);
        await Task.Delay(1100); // a new timestamp, so a new signature: the channel's retry, not a replay
        var again = await SendAsync(app, "chat", message);
        again.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await again.ReadAsync<JsonElement>()).GetProperty("duplicate").GetBoolean().ShouldBeTrue();
        (await app.WithDbAsync(db => db.TicketMessages.CountAsync(m => m.Author == message.from))).ShouldBe(1);
    }

    [Fact]
    public void A_channel_secret_that_is_too_short_stops_the_server_at_start()
    {
        using var app = new CrmApp();
        app.Settings["Channels:Secrets:email"] = "short";
        var failure = Should.Throw<Exception>(() => app.CreateClient());
        failure.ToString().ShouldContain("Channels:Secrets:email");
    }
}
