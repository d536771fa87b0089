using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Campaigns;
using SmartCrm.Customers;
using SmartCrm.Insights;
using SmartCrm.Interactions;
using SmartCrm.Security;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Campaigns;

public sealed class CampaignTests(Apps apps) : IClassFixture<Apps>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    /// <summary>Customers tagged <paramref name="tag"/> straight into the database; consent to marketing e-mail as each asks.</summary>
    private static async Task<List<long>> CustomersAsync(CrmApp app, string tag, int count, Func<int, bool?> consent, Func<int, bool>? hasEmail = null, int? segment = null)
    {
        return await app.WithDbAsync(async db =>
        {
            var now = DateTime.UtcNow.AddDays(-1);
            var customers = Enumerable.Range(0, count).Select(i => new Customer
            {
                Name = $"{tag} {i}", Email = hasEmail?.Invoke(i) == false ? null : $"{tag}-{i}@example.com", Tags = [tag], CreatedAt = now, UpdatedAt = now, Segment = segment,
            }).ToList();
            db.Customers.AddRange(customers);
            await db.SaveChangesAsync();
            for (var i = 0; i < count; i++)
            {
                if (consent(i) is { } granted)
                    db.Consents.Add(new Consent { CustomerId = customers[i].Id, Purpose = ConsentPurpose.MarketingEmail, Granted = granted, RecordedAt = now });
            }
            await db.SaveChangesAsync();
            return customers.Select(c => c.Id).ToList();
        });
    }

    private static object Body(string tag, int holdOut, params string[] variants) => new
    {
        name = "Spring " + tag, channel = "Email", tag, holdOutPercent = holdOut, conversionDays = 30,
        variants = variants.Select(v => new { name = v, message = $"Message {v}: 10 % off filters" }).ToArray(),
    };

    private static async Task<CampaignView> ViewAsync(HttpClient client, long id) =>
        (await client.GetFromJsonAsync<CampaignView>($"/api/v1/campaigns/{id}", Json))!;

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Customers_without_consent_or_an_address_and_the_hold_out_are_never_messaged(Provider provider)
    {
        var app = apps.For(provider);
        var tag = Builders.Unique("cmp");
        // 0–29 consent, 30–34 consented and later withdrew, 35–39 never asked; 40–41 consent but have no e-mail address.
        var ids = await CustomersAsync(app, tag, 42, i => i < 30 || i >= 40 ? true : i < 35 ? true : null, i => i < 40);
        await app.WithDbAsync(async db =>
        {
            var later = DateTime.UtcNow;
            foreach (var id in ids.Skip(30).Take(5)) db.Consents.Add(new Consent { CustomerId = id, Purpose = ConsentPurpose.MarketingEmail, Granted = false, RecordedAt = later });
            // Consent to another purpose is no consent to marketing e-mail.
            db.Consents.Add(new Consent { CustomerId = ids[36], Purpose = ConsentPurpose.MarketingSms, Granted = true, RecordedAt = later });
            return await db.SaveChangesAsync();
        });
        var client = app.ClientAs(Role.Sales);
        var id = (await client.CreateAsync("/api/v1/campaigns", Body(tag, 20, "A", "B"))).Id();

        var draft = await ViewAsync(client, id);
        draft.Campaign.Status.ShouldBe(CampaignStatus.Draft);
        draft.Audience.Audience.ShouldBe(42);
        draft.Audience.NoConsent.ShouldBe(10);
        draft.Audience.NoAddress.ShouldBe(2);
        draft.Audience.Eligible.ShouldBe(30);
        (draft.Audience.HoldOut + draft.Audience.Messaged).ShouldBe(30);
        draft.Audience.HoldOut.ShouldBeGreaterThan(0);

        var launched = await client.PostAsync($"/api/v1/campaigns/{id}/launch", null);
        launched.StatusCode.ShouldBe(HttpStatusCode.OK, await launched.Content.ReadAsStringAsync());
        var view = await ViewAsync(client, id);
        view.Campaign.Status.ShouldBe(CampaignStatus.Launched);
        view.Audience.ShouldBe(draft.Audience, "the draft's preview is the launch's split");

        var members = await app.WithDbAsync(db => db.CampaignMembers.Where(m => m.CampaignId == id).ToListAsync());
        var sends = await app.WithDbAsync(db => db.Interactions.Where(i => ids.Contains(i.CustomerId)).ToListAsync());
        members.Count.ShouldBe(42);
        foreach (var member in members)
        {
            var mine = sends.Where(s => s.CustomerId == member.CustomerId).ToList();
            if (member.Group == CampaignGroup.Messaged)
            {
                mine.Count.ShouldBe(1);
                mine[0].Direction.ShouldBe(Direction.Outbound);
                mine[0].Channel.ShouldBe(Channel.Email);
                mine[0].Id.ShouldBe(member.InteractionId!.Value);
                mine[0].Body.ShouldStartWith("Message ");
            }
            else
            {
                mine.ShouldBeEmpty($"customer {member.CustomerId} is {member.Group}");
            }
        }
        members.Where(m => ids.IndexOf(m.CustomerId) is >= 30 and < 40).ShouldAllBe(m => m.Group == CampaignGroup.NoConsent);
        members.Where(m => ids.IndexOf(m.CustomerId) >= 40).ShouldAllBe(m => m.Group == CampaignGroup.NoAddress);
        members.Where(m => m.Group == CampaignGroup.Messaged).Select(m => m.VariantId).Distinct().Count().ShouldBe(2, "both variants are sent");
        // The hold-out is a draw fixed by the campaign and the customer: recomputing it gives the stored groups.
        members.Where(m => m.Group is CampaignGroup.Messaged or CampaignGroup.HoldOut).ShouldAllBe(m =>
            (CampaignAudience.Draw(id, m.CustomerId, "hold-out") * 100 < 20) == (m.Group == CampaignGroup.HoldOut));

        (await client.PostAsync($"/api/v1/campaigns/{id}/launch", null)).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await client.PutAsJsonAsync($"/api/v1/campaigns/{id}", Body(tag, 10, "A"))).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await app.WithDbAsync(db => db.Interactions.CountAsync(i => ids.Contains(i.CustomerId)))).ShouldBe(sends.Count, "a second launch sends nothing");
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Response_and_conversion_are_measured_per_variant_against_the_hold_out(Provider provider)
    {
        var app = apps.For(provider);
        var tag = Builders.Unique("upl");
        var ids = await CustomersAsync(app, tag, 60, _ => true);
        var client = app.ClientAs(Role.Sales);
        var id = (await client.CreateAsync("/api/v1/campaigns", Body(tag, 50, "A"))).Id();
        (await client.PostAsync($"/api/v1/campaigns/{id}/launch", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var members = await app.WithDbAsync(db => db.CampaignMembers.Where(m => m.CampaignId == id).OrderBy(m => m.CustomerId).ToListAsync());
        var messaged = members.Where(m => m.Group == CampaignGroup.Messaged).Select(m => m.CustomerId).ToList();
        var held = members.Where(m => m.Group == CampaignGroup.HoldOut).Select(m => m.CustomerId).ToList();
        messaged.Count.ShouldBeGreaterThan(5);
        held.Count.ShouldBeGreaterThan(5);

        var admin = app.Admin();
        var product = await admin.CreateProductAsync(50m, "Accessory");
        var now = DateTime.UtcNow;
        // Messaged: three buy and two of them write back; hold-out: one buys. What must not count: an order cancelled, an order
        // paid before the launch, an outbound contact.
        foreach (var customer in messaged.Take(3)) await admin.CreateOrderAsync(customer, product, 1, now.AddMinutes(1));
        foreach (var customer in messaged.Take(2))
            await admin.CreateAsync("/api/v1/interactions", new { customerId = customer, channel = "Email", direction = "Inbound", subject = "Re: spring", occurredAt = now.AddMinutes(2) });
        await admin.CreateOrderAsync(held[0], product, 1, now.AddMinutes(1));
        await admin.CreateOrderAsync(messaged[4], product, 1, now.AddMinutes(1), "Cancelled");
        await admin.CreateOrderAsync(held[1], product, 1, now.AddDays(-3));
        await admin.CreateAsync("/api/v1/interactions", new { customerId = held[2], channel = "Phone", direction = "Outbound", subject = "Call", occurredAt = now.AddMinutes(2) });

        var results = (await ViewAsync(client, id)).Results;
        results.Count.ShouldBe(2);
        var a = results.Single(r => r.Group == "A");
        var hold = results.Single(r => r.Group == CampaignResults.HoldOut);
        a.Members.ShouldBe(messaged.Count);
        hold.Members.ShouldBe(held.Count);
        (a.Converted, a.Responded, hold.Converted, hold.Responded).ShouldBe((3, 2, 1, 0));
        a.ConversionRate.ShouldBe(3.0 / messaged.Count, 1e-9);
        hold.ConversionRate.ShouldBe(1.0 / held.Count, 1e-9);
        a.ConversionUplift!.Value.ShouldBe(3.0 / messaged.Count - 1.0 / held.Count, 1e-9);
        a.ResponseUplift!.Value.ShouldBe(2.0 / messaged.Count, 1e-9);
        hold.ConversionUplift.ShouldBeNull();

        var csv = await client.GetStringAsync($"/api/v1/campaigns/{id}/results.csv");
        csv.ShouldStartWith("group,response,conversion\r\n");
        csv.ShouldContain($"A,{Math.Round(200.0 / messaged.Count, 2).ToString(System.Globalization.CultureInfo.InvariantCulture)},");

        var completed = await client.PostAsync($"/api/v1/campaigns/{id}/complete", null);
        completed.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await ViewAsync(client, id)).Campaign.Status.ShouldBe(CampaignStatus.Completed);
        (await client.PostAsync($"/api/v1/campaigns/{id}/complete", null)).StatusCode.ShouldBe(HttpStatusCode.Conflict);
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task The_audience_is_a_segment_narrowed_by_churn_band_tag_and_device_model(Provider provider)
    {
        var app = apps.For(provider);
        var tag = Builders.Unique("seg");
        var segment = Random.Shared.Next(200, 999);
        var ids = await CustomersAsync(app, tag, 8, _ => true, segment: segment);
        var other = await CustomersAsync(app, tag, 2, _ => true, segment: segment + 1);
        var model = Builders.Unique("WH-");
        await app.WithDbAsync(async db =>
        {
            db.Segments.Add(new Segment { Number = segment, Size = 8, Distinctive = "[]" });
            var scores = new[] { 0.9, 0.8, 0.7, 0.3, 0.3, 0.1, 0.1, 0.1 };
            for (var i = 0; i < ids.Count; i++) await db.Customers.Where(c => c.Id == ids[i]).ExecuteUpdateAsync(s => s.SetProperty(c => c.ChurnScore, scores[i]));
            return await db.SaveChangesAsync();
        });
        var admin = app.Admin();
        await admin.CreateDeviceAsync(ids[0], model);
        await admin.CreateDeviceAsync(ids[3], model);
        await admin.CreateDeviceAsync(other[0], model);
        var client = app.ClientAs(Role.Manager);

        async Task<int> AudienceAsync(object body) => (await ViewAsync(client, (await client.CreateAsync("/api/v1/campaigns", body)).Id())).Audience.Audience;
        var variants = new[] { new { name = "A", message = "Hi" } };
        (await AudienceAsync(new { name = "all of it", channel = "Email", segment, variants })).ShouldBe(8);
        (await AudienceAsync(new { name = "at risk", channel = "Email", segment, churnBand = "High", variants })).ShouldBe(3);
        (await AudienceAsync(new { name = "medium", channel = "Email", segment, churnBand = "Medium", variants })).ShouldBe(2);
        (await AudienceAsync(new { name = "owners", channel = "Email", segment, deviceModel = model, variants })).ShouldBe(2);
        (await AudienceAsync(new { name = "owners at risk", channel = "Email", segment, deviceModel = model, churnBand = "High", variants })).ShouldBe(1);
        (await AudienceAsync(new { name = "tag only", channel = "Email", tag, variants })).ShouldBe(10);
    }

    [Theory]
    [InlineData("{\"channel\":\"Email\",\"variants\":[{\"name\":\"A\",\"message\":\"m\"}]}", "name")]
    [InlineData("{\"name\":\"n\",\"variants\":[{\"name\":\"A\",\"message\":\"m\"}]}", "channel")]
    [InlineData("{\"name\":\"n\",\"channel\":\"Email\",\"variants\":[]}", "variants")]
    [InlineData("{\"name\":\"n\",\"channel\":\"Email\",\"holdOutPercent\":80,\"variants\":[{\"name\":\"A\",\"message\":\"m\"}]}", "holdOutPercent")]
    [InlineData("{\"name\":\"n\",\"channel\":\"Email\",\"conversionDays\":0,\"variants\":[{\"name\":\"A\",\"message\":\"m\"}]}", "conversionDays")]
    [InlineData("{\"name\":\"n\",\"channel\":\"Email\",\"segment\":999,\"variants\":[{\"name\":\"A\",\"message\":\"m\"}]}", "segment")]
    [InlineData("{\"name\":\"n\",\"channel\":\"Email\",\"variants\":[{\"name\":\"A\",\"message\":\"m\"},{\"name\":\"a\",\"message\":\"m\"}]}", "variants[1].name")]
    [InlineData("{\"name\":\"n\",\"channel\":\"Email\",\"variants\":[{\"name\":\"A\"}]}", "variants[0].message")]
    [InlineData("{\"name\":\"n\",\"channel\":\"Email\",\"variants\":[null]}", "variants[0]")]
    public async Task Bad_input_is_refused_naming_the_field(string body, string field)
    {
        var client = apps.For(Provider.Sqlite).ClientAs(Role.Sales);
        var response = await client.PostAsync("/api/v1/campaigns", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).ShouldContain(field);
    }

    [Fact]
    public async Task A_text_message_longer_than_two_parts_is_refused()
    {
        var client = apps.For(Provider.Sqlite).ClientAs(Role.Sales);
        var response = await client.PostAsJsonAsync("/api/v1/campaigns", new { name = "sms", channel = "Sms", variants = new[] { new { name = "A", message = new string('x', 400) } } });
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).ShouldContain("variants[0].message");
    }

    [Theory]
    [InlineData(Role.Support)]
    [InlineData(Role.Analyst)]
    [InlineData(Role.ReadOnly)]
    public async Task Only_roles_with_campaigns_write_create_change_launch_or_complete(Role role)
    {
        var app = apps.For(Provider.Sqlite);
        var tag = Builders.Unique("perm");
        var id = (await app.ClientAs(Role.Manager).CreateAsync("/api/v1/campaigns", Body(tag, 10, "A"))).Id();
        var client = app.ClientAs(role);
        (await client.PostAsJsonAsync("/api/v1/campaigns", Body(tag, 10, "A"))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await client.PutAsJsonAsync($"/api/v1/campaigns/{id}", Body(tag, 10, "A"))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await client.PostAsync($"/api/v1/campaigns/{id}/launch", null)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await client.PostAsync($"/api/v1/campaigns/{id}/complete", null)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await client.GetAsync($"/api/v1/campaigns/{id}")).StatusCode.ShouldBe(HttpStatusCode.OK, "reading is for everyone who reads customers");
        (await client.GetAsync("/api/v1/campaigns")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await ViewAsync(client, id)).Campaign.Status.ShouldBe(CampaignStatus.Draft);
    }

    [Fact]
    public async Task The_console_starts_a_campaign_from_a_segment_and_shows_its_counts_in_english_and_chinese()
    {
        var app = apps.For(Provider.Sqlite);
        var tag = Builders.Unique("con");
        var segment = Random.Shared.Next(200, 999);
        await CustomersAsync(app, tag, 12, i => i < 9, segment: segment);
        await app.WithDbAsync(async db =>
        {
            db.Segments.Add(new Segment { Number = segment, Size = 12, Distinctive = "[]" });
            return await db.SaveChangesAsync();
        });
        using var session = await ConsoleSession.SignInAsync(app, "admin", CrmApp.AdminPassword);
        (await session.Client.GetStringAsync("/segments")).ShouldContain($"href=\"/campaigns/new?segment={segment}\"");
        var form = await session.Client.GetStringAsync($"/campaigns/new?segment={segment}");
        form.ShouldContain($"Segment {segment} campaign");
        var token = await session.SignOutTokenAsync();
        var posted = await session.Client.PostAsync($"/campaigns/new?segment={segment}", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "new-campaign", ["__RequestVerificationToken"] = token, ["Name"] = "Console " + tag, ["ChannelName"] = "Email",
            ["SegmentNumber"] = segment.ToString(System.Globalization.CultureInfo.InvariantCulture), ["Band"] = "", ["Tag"] = "", ["DeviceModel"] = "",
            ["HoldOut"] = "0", ["Days"] = "14", ["VariantA"] = "A", ["MessageA"] = "Hello", ["VariantB"] = "B", ["MessageB"] = "",
        }));
        var campaign = await app.WithDbAsync(db => db.Campaigns.SingleAsync(c => c.Name == "Console " + tag));
        campaign.Segment.ShouldBe(segment);
        ((int)posted.StatusCode).ShouldBeLessThan(400);

        var english = await session.Client.GetStringAsync($"/campaigns/{campaign.Id}");
        english.ShouldContain("Audience if launched now");
        english.ShouldContain("Excluded: no consent for marketing e-mail");
        System.Text.RegularExpressions.Regex.IsMatch(english, "data-count=\"no-consent\"><th>[^<]*</th><td class=\"number\">3</td>").ShouldBeTrue();
        await session.Client.GetAsync("/culture?name=zh-Hans&returnUrl=/");
        var chinese = await session.Client.GetStringAsync($"/campaigns/{campaign.Id}");
        chinese.ShouldContain("如果现在发起的受众");
        chinese.ShouldContain("已排除：未同意营销邮件");
        chinese.ShouldContain("发起：向 9 位客户发送");
    }
}
