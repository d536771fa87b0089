using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SmartCrm.Interactions;
using SmartCrm.Security;
using SmartCrm.Service;
using SmartCrm.Tests.Infrastructure;
using SmartCrm.Tickets;

namespace SmartCrm.Tests.Service;

/// <summary>A reply on a phone ticket is a call-back for the agent who wrote it, and goes on the timeline once they called.</summary>
public sealed class CallBackTests(ChannelApps apps) : IClassFixture<ChannelApps>
{
    private static async Task<long> CallInAsync(CrmApp app, string from, string text)
    {
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var body = JsonSerializer.SerializeToUtf8Bytes(new { from, text });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/channels/phone/messages") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add(SignedWebhooks.TimestampHeader, timestamp);
        request.Headers.Add(SignedWebhooks.SignatureHeader, SignedWebhooks.Sign(ChannelApps.Secrets["phone"], timestamp, body));
        using var response = await app.CreateClient().SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("ticketId").GetInt64();
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task A_reply_on_a_phone_ticket_becomes_the_agents_call_back_and_is_recorded_as_an_outbound_call_when_they_called(Provider provider)
    {
        var app = apps.For(provider);
        var admin = app.Admin();
        var phone = "+44 20 " + Random.Shared.Next(1000_0000, 9999_9999);
        var customer = await admin.CreateCustomerAsync(phone: phone);
        var ticket = await CallInAsync(app, phone, "Caller asked why the invoice " + Builders.Unique("INV") + " is twice the usual amount.");
        var (_, agent, session) = await ConsoleSession.NewUserAsync(app, admin, Role.Support);
        var before = await app.WithDbAsync(db => db.Interactions.CountAsync(i => i.CustomerId == customer && i.Direction == Direction.Outbound));

        // The agent writes what to tell the caller on the ticket page.
        var reply = "The second charge is the annual filter plan; we refund it if you cancel.";
        using (var written = await PostFormAsync(session, $"/tickets/{ticket}", new() { ["_handler"] = "message", ["Body"] = reply, ["Visibility"] = "reply" }))
            written.StatusCode.ShouldBeOneOf(HttpStatusCode.OK, HttpStatusCode.Redirect);
        var callBack = await app.WithDbAsync(db => db.OutboundMessages.SingleAsync(m => m.TicketId == ticket));
        (callBack.Channel, callBack.Recipient, callBack.Status, callBack.Body).ShouldBe((CallBacks.Channel, phone, OutboundStatus.Pending, reply));
        (await app.WithDbAsync(db => db.Interactions.CountAsync(i => i.CustomerId == customer && i.Direction == Direction.Outbound)))
            .ShouldBe(before, "nothing reached the customer yet: the call is not made");

        // No machine sends it: the retry job leaves it for the agent.
        using (var scope = app.Services.CreateScope()) await scope.ServiceProvider.GetRequiredService<ChannelOutbox>().SendDueAsync(100, CancellationToken.None);
        (await app.WithDbAsync(db => db.OutboundMessages.SingleAsync(m => m.Id == callBack.Id))).Attempts.ShouldBe(0);

        // Visible on the ticket, on the agent's list, and on the outbox page.
        var page = await session.Client.GetStringAsync($"/tickets/{ticket}");
        page.ShouldContain("data-call-back=\"due\"");
        page.ShouldContain("data-mark-called");
        (await session.Client.GetStringAsync("/tickets")).ShouldContain("data-my-call-backs=\"1\"");
        (await session.Client.GetStringAsync("/service/outbox?show=calls")).ShouldContain($"data-outbound=\"{callBack.Id}\"");
        var mine = await session.Client.GetFromJsonAsync<JsonElement>("/api/v1/outbox/call-backs?mine=true");
        mine.EnumerateArray().Select(c => (c.GetProperty("id").GetInt64(), c.GetProperty("agent").GetString(), c.GetProperty("phone").GetString()))
            .ShouldBe([(callBack.Id, agent, phone)]);

        // The agent called: an outbound phone interaction with what was said and how it went, linked from the reply.
        using (var called = await PostFormAsync(session, $"/tickets/{ticket}", new()
            { ["_handler"] = "called", ["CalledId"] = callBack.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), ["CallNote"] = "Customer keeps the plan." }))
            called.StatusCode.ShouldBeOneOf(HttpStatusCode.OK, HttpStatusCode.Redirect);
        var call = await app.WithDbAsync(db => db.Interactions.Where(i => i.CustomerId == customer && i.Direction == Direction.Outbound).OrderByDescending(i => i.Id).FirstAsync());
        (call.Channel, call.Agent).ShouldBe((Channel.Phone, agent));
        call.Body.ShouldBe($"{reply}\n\nCustomer keeps the plan.");
        call.Subject.ShouldStartWith($"Re: #{ticket}");
        (await app.WithDbAsync(db => db.TicketMessages.SingleAsync(m => m.TicketId == ticket && m.Kind == MessageKind.Reply))).InteractionId.ShouldBe(call.Id);
        (await app.WithDbAsync(db => db.OutboundMessages.SingleAsync(m => m.Id == callBack.Id))).Status.ShouldBe(OutboundStatus.Sent);
        (await session.Client.GetStringAsync($"/tickets/{ticket}")).ShouldContain("data-call-back=\"done\"");

        var again = await admin.PostAsJsonAsync($"/api/v1/outbox/{callBack.Id}/called", new { note = "twice" });
        again.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await admin.PostAsJsonAsync("/api/v1/outbox/987654321/called", new { })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await app.ClientAs(Role.Analyst).PostAsJsonAsync($"/api/v1/outbox/{callBack.Id}/called", new { })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    private static async Task<HttpResponseMessage> PostFormAsync(ConsoleSession session, string path, Dictionary<string, string> fields)
    {
        fields["__RequestVerificationToken"] = await session.SignOutTokenAsync();
        return await session.Client.PostAsync(path, new FormUrlEncodedContent(fields));
    }
}
