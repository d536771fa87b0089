using Microsoft.EntityFrameworkCore;
using SmartCrm.Customers;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Customers;

/// <summary>The one "its customer is in segment N" condition that the tickets, devices and orders lists share.</summary>
public sealed class SegmentMembershipTests(Apps apps) : IClassFixture<Apps>
{
    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Rows_of_customers_in_the_segment_are_kept_and_rows_without_a_customer_are_left_out(Provider provider)
    {
        var app = apps.For(provider);
        var admin = app.Admin();
        var inside = await admin.CreateCustomerAsync(Builders.Unique("Member "));
        var outside = await admin.CreateCustomerAsync(Builders.Unique("Other "));
        var segment = Random.Shared.Next(100_000, 1_000_000);
        await app.WithDbAsync(db => db.Customers.Where(c => c.Id == inside).ExecuteUpdateAsync(s => s.SetProperty(c => c.Segment, segment)));
        await app.WithDbAsync(db => db.Customers.Where(c => c.Id == outside).ExecuteUpdateAsync(s => s.SetProperty(c => c.Segment, segment + 1)));
        var (mine, _) = await admin.CreateDeviceAsync(inside);
        await admin.CreateDeviceAsync(outside);
        await admin.CreateDeviceAsync(null);
        var ticket = (await admin.CreateAsync("/api/v1/tickets", new { customerId = inside, kind = "Question", subject = Builders.Unique("Member ticket ") })).Id();
        await admin.CreateAsync("/api/v1/tickets", new { customerId = outside, kind = "Question", subject = Builders.Unique("Other ticket ") });

        // Devices name their customer by a nullable id, tickets by a required one: both selectors take the same condition.
        var devices = await app.WithDbAsync(db => db.Devices.InSegment(db.Customers, segment, d => d.CustomerId).Select(d => d.Id).ToListAsync());
        devices.ShouldBe([mine]);
        var tickets = await app.WithDbAsync(db => db.Tickets.InSegment(db.Customers, segment, t => t.CustomerId).Select(t => t.Id).ToListAsync());
        tickets.ShouldBe([ticket]);
        (await app.WithDbAsync(db => db.Tickets.InSegment(db.Customers, segment + 2, t => t.CustomerId).CountAsync())).ShouldBe(0);
    }

    [Fact]
    public async Task The_segment_is_sent_as_a_parameter_so_one_plan_serves_every_segment()
    {
        var app = apps.For(Provider.Sqlite);
        var sql = await app.WithDbAsync(db => Task.FromResult(db.Orders.InSegment(db.Customers, 424242, o => o.CustomerId).ToQueryString()));
        sql.ShouldNotContain("= 424242", customMessage: sql);
        sql.ShouldContain("EXISTS");
    }
}
