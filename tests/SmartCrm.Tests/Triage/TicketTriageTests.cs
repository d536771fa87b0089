using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SmartCrm.Alarms;
using SmartCrm.Security;
using SmartCrm.Tests.Infrastructure;
using SmartCrm.Triage;

namespace SmartCrm.Tests.Triage;

public sealed class TicketTriageTests(TriageApps apps) : IClassFixture<TriageApps>
{
    public static TheoryData<Provider> Providers => Apps.Providers;

    private static async Task<long> OpenTicketAsync(HttpClient api, long customer, string subject, string? description = null, string priority = "Normal") =>
        (await api.CreateAsync("/api/v1/tickets", new { customerId = customer, kind = "Question", subject, description, priority })).Id();

    [Theory, MemberData(nameof(Providers))]
    public async Task A_ticket_is_categorised_and_prioritised_with_the_reasons_that_raised_it(Provider provider)
    {
        var app = apps.For(provider);
        var api = app.Admin();
        var customer = await api.CreateCustomerAsync();
        var product = await api.CreateProductAsync(price: 100m);
        await api.CreateOrderAsync(customer, product, 60, DateTime.UtcNow.AddDays(-30));
        var (device, _) = await api.CreateDeviceAsync(customer);
        await app.WithDbAsync(async db =>
        {
            var now = DateTime.UtcNow;
            db.Alarms.Add(new Alarm { DeviceId = device, CustomerId = customer, Type = "overheat", Severity = AlarmSeverity.Critical, Status = AlarmStatus.Active,
                Message = "Temperature above 90", StartedAt = now, LastAt = now });
            return await db.SaveChangesAsync();
        });
        var ticket = await OpenTicketAsync(api, customer, "The heater is broken", "It does not turn on and there is smoke, please help urgently");

        (await api.GetAsync($"/api/v1/tickets/{ticket}/triage")).StatusCode.ShouldBe(HttpStatusCode.NotFound, "not triaged yet");
        (await api.PostAsync($"/api/v1/tickets/{ticket}/triage", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var view = await api.GetFromJsonAsync<JsonElement>($"/api/v1/tickets/{ticket}/triage");

        view.GetProperty("category").GetString().ShouldBe("fault");
        view.GetProperty("topTerms").GetArrayLength().ShouldBeGreaterThan(0);
        view.GetProperty("suggestedPriority").GetString().ShouldBe("Urgent");
        var reasons = view.GetProperty("reasons").EnumerateArray().Select(r => (Signal: r.GetProperty("signal").GetString(), Detail: r.GetProperty("detail").GetString()!)).ToList();
        reasons.ShouldContain(r => r.Signal == "text" && r.Detail.Contains("smoke"));
        reasons.ShouldContain(r => r.Signal == "device alarm" && r.Detail.Contains("critical"));
        reasons.ShouldContain(r => r.Signal == "customer value");
        var stored = await api.GetFromJsonAsync<JsonElement>($"/api/v1/tickets/{ticket}");
        stored.GetProperty("priority").GetString().ShouldBe("Urgent", "a new ticket is raised to the suggested priority");
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_calm_ticket_keeps_the_priority_a_person_gave_it(Provider provider)
    {
        var api = apps.For(provider).Admin();
        var customer = await api.CreateCustomerAsync();
        var ticket = await OpenTicketAsync(api, customer, "How do I pair the sensor with the app?", priority: "High");

        await api.PostAsync($"/api/v1/tickets/{ticket}/triage", null);

        var view = await api.GetFromJsonAsync<JsonElement>($"/api/v1/tickets/{ticket}/triage");
        view.GetProperty("category").GetString().ShouldBe("how-to");
        view.GetProperty("suggestedPriority").GetString().ShouldBe("Low");
        (await api.GetFromJsonAsync<JsonElement>($"/api/v1/tickets/{ticket}")).GetProperty("priority").GetString().ShouldBe("High");
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task An_agents_correction_stands_and_becomes_a_training_example(Provider provider)
    {
        var app = apps.For(provider);
        var api = app.Admin();
        var customer = await api.CreateCustomerAsync();
        var text = Builders.Unique("My thermostat invoice shows a warranty fee ");
        var ticket = await OpenTicketAsync(api, customer, text);

        var response = await app.ClientAs(Role.Support).PutAsJsonAsync($"/api/v1/tickets/{ticket}/triage", new { category = "warranty" });

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var view = await response.ReadAsync<JsonElement>();
        view.GetProperty("category").GetString().ShouldBe("warranty");
        view.GetProperty("correctedBy").GetString().ShouldNotBeNullOrEmpty();
        await api.PostAsync($"/api/v1/tickets/{ticket}/triage", null);
        (await api.GetFromJsonAsync<JsonElement>($"/api/v1/tickets/{ticket}/triage")).GetProperty("category").GetString().ShouldBe("warranty", "triaging again keeps it");
        var examples = await app.WithDbAsync(db => TriageModels.ExamplesAsync(db, CancellationToken.None));
        examples.ShouldContain(new LabelledText(text, "warranty"));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Bad_corrections_and_unknown_tickets_are_refused_with_the_field_named(Provider provider)
    {
        var app = apps.For(provider);
        var api = app.Admin();
        var customer = await api.CreateCustomerAsync();
        var ticket = await OpenTicketAsync(api, customer, "Where is my parcel?");

        var blank = await api.PutAsJsonAsync($"/api/v1/tickets/{ticket}/triage", new { category = "  " });
        blank.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await blank.Content.ReadAsStringAsync()).ShouldContain("category");
        (await api.PutAsJsonAsync($"/api/v1/tickets/{ticket}/triage", new { category = new string('x', 101) })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await api.PutAsJsonAsync("/api/v1/tickets/999999999/triage", new { category = "billing" })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await api.GetAsync("/api/v1/tickets/999999999/triage")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await app.ClientAs(Role.Analyst).PutAsJsonAsync($"/api/v1/tickets/{ticket}/triage", new { category = "billing" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await app.ClientAs(Role.Sales).PostAsync($"/api/v1/tickets/{ticket}/triage", null)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await app.ClientAs(Role.ReadOnly).PostAsync("/api/v1/models/triage/train", null)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task The_job_triages_open_tickets_nobody_triaged_and_leaves_closed_ones()
    {
        var app = apps.For(Provider.Sqlite);
        var api = app.Admin();
        var customer = await api.CreateCustomerAsync();
        var open = await OpenTicketAsync(api, customer, "I was charged twice for my subscription");
        var closed = (await api.CreateAsync("/api/v1/tickets", new { customerId = customer, kind = "Question", subject = "Old question", status = "Closed" })).Id();

        var job = app.Services.GetRequiredService<TriageJob>();
        while (await job.TriageUntriagedAsync(CancellationToken.None) > 0)
        {
        }

        var decisions = await app.WithDbAsync(db => db.TriageDecisions.Where(d => d.TicketId == open || d.TicketId == closed).ToListAsync());
        decisions.Select(d => (d.TicketId, d.Category)).ShouldBe([(open, "billing")]);
    }
}
