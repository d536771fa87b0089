using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Forecasts;
using SmartCrm.Interactions;
using SmartCrm.Models;
using SmartCrm.Tests.Forecasts;
using SmartCrm.Tickets;

namespace SmartCrm.Tests.Demo;

public sealed class DemoCompanyTests(DemoCompanyApp demo) : IClassFixture<DemoCompanyApp>
{
    [Fact]
    public async Task Demo_fills_an_empty_database_with_a_believable_company_once()
    {
        var app = demo.App;

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

    [Fact]
    public async Task The_demo_tells_its_story_as_of_the_moment_it_was_seeded()
    {
        var app = demo.App;
        var now = DateTime.UtcNow;
        var weekAgo = new DateTimeOffset(now.AddDays(-8)).ToUnixTimeMilliseconds();
        var dayAgo = new DateTimeOffset(now.AddDays(-1)).ToUnixTimeMilliseconds();
        var figures = await app.WithDbAsync(async db =>
        {
            var readings = new Dictionary<long, (long Count, long Last, long LastWeek)>();
            var connection = db.Database.GetDbConnection();
            await connection.OpenAsync();
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = $"""SELECT "DeviceId", COUNT(*), MAX("Ts"), SUM(CASE WHEN "Ts" >= {weekAgo} THEN 1 ELSE 0 END) FROM telemetry GROUP BY "DeviceId" """;
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync()) readings[reader.GetInt64(0)] = (reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
            }
            var firstOrders = await db.Orders.GroupBy(o => o.CustomerId).Select(g => new { g.Key, First = g.Min(o => o.OrderedAt) }).ToDictionaryAsync(g => g.Key, g => g.First);
            return new
            {
                Devices = await db.Devices.Select(d => new { d.Id, d.Online, d.LastSeenAt, d.CreatedAt }).ToListAsync(),
                Readings = readings,
                Customers = await db.Customers.Select(c => new { c.Id, c.CreatedAt }).ToListAsync(),
                FirstOrders = firstOrders,
                OpenTickets = await db.Tickets.Where(t => t.Status == TicketStatus.New || t.Status == TicketStatus.Open || t.Status == TicketStatus.Pending).ToListAsync(),
            };
        });

        // Most devices are online and have reported up to now, a week of it day by day; a few went quiet days or months ago.
        var online = figures.Devices.Where(d => d.Online).ToList();
        ((double)online.Count / figures.Devices.Count).ShouldBeInRange(0.6, 0.9);
        online.ShouldAllBe(d => figures.Readings.GetValueOrDefault(d.Id).Last >= dayAgo);
        online.Where(d => d.CreatedAt < now.AddDays(-8)).ShouldAllBe(d => figures.Readings.GetValueOrDefault(d.Id).LastWeek >= 7);
        var quiet = figures.Devices.Where(d => !d.Online).ToList();
        quiet.ShouldAllBe(d => d.LastSeenAt < now.AddDays(-1), "an offline demo device has been quiet for days: a churn signal");
        // Denser only lately: about a year of weekly readings a device, not a year of daily ones.
        ((double)figures.Readings.Values.Sum(r => r.Count) / figures.Devices.Count).ShouldBeLessThan(35);

        // New customers keep coming, up to the last month; nobody ordered before they were a customer.
        figures.Customers.Count(c => c.CreatedAt >= now.AddDays(-30)).ShouldBeInRange(40, 120);
        figures.Customers.ShouldAllBe(c => !figures.FirstOrders.ContainsKey(c.Id) || figures.FirstOrders[c.Id] >= c.CreatedAt);

        // Open tickets are recent: most SLA clocks still run, some are breached.
        figures.OpenTickets.ShouldAllBe(t => t.CreatedAt >= now.AddDays(-21));
        var breached = figures.OpenTickets.Count(t => Sla.Read(t, now).Breached);
        breached.ShouldBeGreaterThan(0);
        ((double)breached / figures.OpenTickets.Count).ShouldBeLessThan(0.4);

        // Most owners replace filters and book maintenance on schedule: some are due soon, a few overdue, most not yet.
        var admin = app.Admin();
        (await ForecastTrainingTests.TrainAsync(admin, ForecastKinds.Usage)).State.ShouldBe(TrainingState.Succeeded);
        var wear = (await admin.GetFromJsonAsync<List<ForecastSeries>>("/api/v1/forecasts?kind=usage", ForecastTrainingTests.Json))!
            .Where(s => s.Consumable is not null && s.LifeUsed is not null).ToList();
        wear.Count.ShouldBeGreaterThan(100);
        var overdue = wear.Count(s => s.LifeUsed >= 1);
        overdue.ShouldBeGreaterThan(0);
        ((double)overdue / wear.Count).ShouldBeLessThan(0.15);
        wear.Count(s => s.LifeUsed < 1 && s.DueAt < now.AddDays(30)).ShouldBeGreaterThan(0);
    }
}
