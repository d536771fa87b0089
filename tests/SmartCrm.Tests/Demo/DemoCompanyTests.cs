using Microsoft.EntityFrameworkCore;
using SmartCrm.Interactions;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Demo;

public sealed class DemoCompanyTests
{
    [Fact]
    public async Task Demo_fills_an_empty_database_with_a_believable_company_once()
    {
        using var app = new CrmApp();
        app.Settings["Demo:Enabled"] = "true";
        app.CreateClient().Dispose();

        var figures = await app.WithDbAsync(async db => new
        {
            Customers = await db.Customers.CountAsync(),
            Companies = await db.Customers.CountAsync(c => c.Kind == SmartCrm.Customers.CustomerKind.Company),
            Contacts = await db.Contacts.CountAsync(),
            Products = await db.Products.Select(p => p.Category).Distinct().ToListAsync(),
            Orders = await db.Orders.CountAsync(),
            FirstOrder = await db.Orders.MinAsync(o => o.OrderedAt),
            Channels = await db.Interactions.Select(i => i.Channel).Distinct().ToListAsync(),
            OpenTickets = await db.Tickets.CountAsync(t => t.Status != SmartCrm.Tickets.TicketStatus.Closed && t.Status != SmartCrm.Tickets.TicketStatus.Resolved),
            OpenDeals = await db.Opportunities.CountAsync(o => o.Stage != SmartCrm.Sales.Stage.Won && o.Stage != SmartCrm.Sales.Stage.Lost),
        });
        figures.Customers.ShouldBeInRange(1_900, 2_100);
        figures.Companies.ShouldBeGreaterThan(100);
        figures.Contacts.ShouldBeGreaterThan(100);
        figures.Products.ShouldBe(["Air purifiers", "Hubs", "Service plans", "Thermostats", "Water heaters"], ignoreOrder: true);
        figures.Orders.ShouldBeGreaterThan(figures.Customers);
        (DateTime.UtcNow - figures.FirstOrder).TotalDays.ShouldBeInRange(300, 400);
        figures.Channels.ShouldBe(Enum.GetValues<Channel>(), ignoreOrder: true);
        figures.OpenTickets.ShouldBeGreaterThan(20);
        figures.OpenDeals.ShouldBeGreaterThan(20);

        // Seeding again changes nothing: the database already has customers.
        var again = await app.WithDbAsync(db => SmartCrm.Demo.DemoCompany.SeedAsync(db, 1, DateTime.UtcNow, CancellationToken.None));
        again.ShouldBeFalse();
        (await app.WithDbAsync(db => db.Customers.CountAsync())).ShouldBe(figures.Customers);
    }
}
