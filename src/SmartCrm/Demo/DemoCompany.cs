using Bogus;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Alarms;
using SmartCrm.Catalog;
using SmartCrm.Devices;
using SmartCrm.Customers;
using SmartCrm.Interactions;
using SmartCrm.Orders;
using SmartCrm.Sales;
using SmartCrm.Storage;
using SmartCrm.Telemetry;
using SmartCrm.Tickets;

namespace SmartCrm.Demo;

/// <summary>
/// A believable company selling connected home products (thermostats, air purifiers, water heaters, accessories,
/// service plans): ~2,000 customers per unit of scale with a year of orders, interactions on every channel,
/// open deals and tickets. Fixed seed, so every demo looks the same.
/// </summary>
public static class DemoCompany
{
    public const int CustomersPerScale = 2_000;

    private static readonly (string Sku, string Name, ProductKind Kind, string Category, decimal Price, string Description)[] Catalogue =
    [
        ("TH-100", "Aura Smart Thermostat", ProductKind.Device, "Thermostats", 149m, "Wi-Fi thermostat with learning schedule and MQTT telemetry"),
        ("TH-200", "Aura Smart Thermostat Pro", ProductKind.Device, "Thermostats", 229m, "Multi-zone thermostat with humidity and occupancy sensors"),
        ("TH-S1", "Aura Room Sensor", ProductKind.Accessory, "Thermostats", 39m, "Remote temperature and occupancy sensor"),
        ("TH-WP", "Thermostat Wall Plate", ProductKind.Accessory, "Thermostats", 15m, "Trim plate covering old thermostat marks"),
        ("AP-300", "Breeze Air Purifier 300", ProductKind.Device, "Air purifiers", 199m, "HEPA purifier for rooms up to 30 m², PM2.5 sensor"),
        ("AP-600", "Breeze Air Purifier 600", ProductKind.Device, "Air purifiers", 349m, "HEPA and carbon purifier for rooms up to 60 m²"),
        ("AP-F300", "HEPA Filter 300", ProductKind.Accessory, "Air purifiers", 29m, "Replacement HEPA filter, six months"),
        ("AP-F600", "HEPA + Carbon Filter 600", ProductKind.Accessory, "Air purifiers", 49m, "Replacement filter set, six months"),
        ("WH-50", "Flow Smart Water Heater 50 L", ProductKind.Device, "Water heaters", 499m, "Connected electric water heater, leak and scale detection"),
        ("WH-80", "Flow Smart Water Heater 80 L", ProductKind.Device, "Water heaters", 649m, "Connected electric water heater for families"),
        ("WH-AN", "Anode Rod Kit", ProductKind.Accessory, "Water heaters", 35m, "Magnesium anode replacement kit"),
        ("WH-LS", "Leak Sensor", ProductKind.Accessory, "Water heaters", 25m, "Floor leak sensor that alerts the heater"),
        ("HB-1", "Home Hub", ProductKind.Device, "Hubs", 99m, "Zigbee and Wi-Fi hub linking all devices"),
        ("SP-CARE1", "CareFree Plan 1 year", ProductKind.ServicePlan, "Service plans", 59m, "Extended warranty and priority support, one year"),
        ("SP-CARE3", "CareFree Plan 3 years", ProductKind.ServicePlan, "Service plans", 149m, "Extended warranty and priority support, three years"),
        ("SP-INST", "Professional Installation", ProductKind.ServicePlan, "Service plans", 120m, "Installation by a certified technician"),
        ("SP-FILT", "Filter Subscription", ProductKind.ServicePlan, "Service plans", 89m, "Filters delivered every six months, one year"),
        ("SP-MAINT", "Annual Heater Maintenance", ProductKind.ServicePlan, "Service plans", 99m, "Yearly descaling and anode check"),
    ];

    private static readonly Dictionary<Channel, string[]> Subjects = new()
    {
        [Channel.Phone] = ["Question about installation", "Called about delivery date", "Asked for a quote for the office", "Follow-up call after repair", "Called about a billing question"],
        [Channel.Email] = ["Order confirmation", "Newsletter: winter heating tips", "Invoice sent", "Filter reminder", "Service plan renewal offer"],
        [Channel.Chat] = ["Chat: app cannot find the thermostat", "Chat: how to reset the purifier", "Chat: change delivery address", "Chat: warranty question"],
        [Channel.Social] = ["Mentioned us on social media", "Review posted: five stars", "Asked about availability on social media", "Complained about shipping time"],
        [Channel.Web] = ["Visited pricing page", "Downloaded installation guide", "Abandoned cart", "Registered a product"],
        [Channel.Store] = ["Store visit: tried the thermostat demo", "Store visit: bought filters", "Store visit: asked about heaters", "Store visit: returned an accessory"],
    };

    private static readonly Dictionary<TicketKind, string[]> TicketSubjects = new()
    {
        [TicketKind.Question] = ["How do I pair the room sensor?", "Can the thermostat run on batteries?", "Which filter fits my purifier?", "Is the heater compatible with solar panels?"],
        [TicketKind.Refund] = ["Charged twice for my order", "Refund for cancelled installation", "Price dropped a week after purchase"],
        [TicketKind.Return] = ["Return an unopened purifier", "Wrong wall plate delivered", "Heater too large for the closet"],
        [TicketKind.Fault] = ["Thermostat offline since yesterday", "Purifier fan makes a loud noise", "Water heater shows error E4", "Leak sensor keeps alarming", "Hub does not see the thermostat"],
        [TicketKind.Complaint] = ["Installer arrived three hours late", "Nobody answered my last two emails", "Delivery left the box in the rain"],
    };

    /// <summary>Seeds the demo company into an empty database; false when there are customers already.</summary>
    public static async Task<bool> SeedAsync(CrmDb db, int scale, DateTime now, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        if (await db.Customers.AnyAsync(cancellationToken)) return false;
        db.AuditEnabled = false;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        var faker = new Faker("en") { Random = new Randomizer(20261123) };

        var products = Catalogue.Select(p => new Product { Sku = p.Sku, Name = p.Name, Kind = p.Kind, Category = p.Category, Price = p.Price, Description = p.Description }).ToList();
        db.Products.AddRange(products);
        // Help articles about these products, so the demo's FAQ assistant and chat answer the common questions.
        var articles = DemoArticles.Create(now).ToList();
        db.Articles.AddRange(articles);
        await db.SaveChangesAsync(cancellationToken);
        db.AnswerFeedback.AddRange(DemoArticles.Marks(articles, now));
        await db.SaveChangesAsync(cancellationToken);
        var devices = products.Where(p => p.Kind == ProductKind.Device).ToArray();
        db.AlarmRules.AddRange(AlarmRules(now));
        var extras = products.Where(p => p.Kind != ProductKind.Device).ToArray();
        string[] agents = ["lena", "omar", "mei", "jonas", "priya"];
        string[] countries = ["US", "US", "US", "CA", "GB", "DE", "CN"];

        var total = CustomersPerScale * scale;
        const int batch = 500;
        for (var start = 0; start < total; start += batch)
        {
            var customers = new List<Customer>(batch);
            for (var i = start; i < Math.Min(total, start + batch); i++)
            {
                var company = faker.Random.Double() < 0.2;
                var first = faker.Name.FirstName();
                var last = faker.Name.LastName();
                var name = company ? faker.Company.CompanyName() : $"{first} {last}";
                var domain = company ? faker.Internet.DomainWord() + ".com" : faker.PickRandom("example.com", "mail.example", "inbox.example", "post.example");
                var customer = new Customer
                {
                    Kind = company ? CustomerKind.Company : CustomerKind.Person,
                    Name = name,
                    Email = $"{(company ? "info" : first.ToLowerInvariant() + "." + last.ToLowerInvariant())}{i}@{domain}".Replace("'", "", StringComparison.Ordinal),
                    Phone = faker.Phone.PhoneNumber("+1 ###-###-####"),
                    Company = company ? null : faker.Random.Double() < 0.3 ? faker.Company.CompanyName() : null,
                    Country = faker.PickRandom(countries),
                    City = faker.Address.City(),
                    Address = faker.Address.StreetAddress(),
                    Tags = faker.Random.Double() < 0.15 ? [faker.PickRandom("vip", "installer", "newsletter", "early-adopter")] : [],
                    CreatedAt = now.AddDays(-faker.Random.Int(30, 900)),
                };
                customer.UpdatedAt = customer.CreatedAt;
                if (company)
                {
                    for (var c = faker.Random.Int(1, 3); c > 0; c--)
                    {
                        var contactFirst = faker.Name.FirstName();
                        var contactLast = faker.Name.LastName();
                        customer.Contacts.Add(new Contact
                        {
                            Name = $"{contactFirst} {contactLast}",
                            Title = faker.PickRandom("Facilities manager", "Office manager", "Purchasing", "CEO", "Technician"),
                            Email = $"{contactFirst}.{contactLast}@{domain}".ToLowerInvariant().Replace("'", "", StringComparison.Ordinal),
                            Phone = faker.Phone.PhoneNumber("+1 ###-###-####"),
                        });
                    }
                }
                customers.Add(customer);
            }
            db.Customers.AddRange(customers);
            await db.SaveChangesAsync(cancellationToken);

            var alarms = new List<(Device Device, Alarm Alarm)>();
            foreach (var customer in customers)
            {
                AddHistory(db, faker, customer, devices, extras, agents, now, alarms);
            }
            await db.SaveChangesAsync(cancellationToken);
            foreach (var (device, alarm) in alarms)
            {
                alarm.DeviceId = device.Id;
                db.Alarms.Add(alarm);
            }
            await db.SaveChangesAsync(cancellationToken);
            db.ChangeTracker.Clear();
        }
        db.ChangeTracker.AutoDetectChangesEnabled = true;
        db.AuditEnabled = true;
        return true;
    }

    /// <summary>The key of the demo devices' weekly usage readings (hours a day in use).</summary>
    public const string UsageKey = SmartCrm.Insights.ChurnFeatures.UsageKey;

    /// <summary>
    /// A year of weekly usage readings for every demo device: steady while it is in use, winding down over the last two months
    /// before a device fell silent. Written after the devices (it needs their ids), and the devices' last-seen times, which
    /// the telemetry writer moves, are put back.
    /// </summary>
    public static async Task SeedUsageAsync(CrmDb db, TelemetryStore store, DateTime now, CancellationToken cancellationToken)
    {
        var random = new Random(20261207);
        var devices = await db.Devices.Select(d => new { d.Id, d.CreatedAt, d.LastSeenAt }).ToListAsync(cancellationToken);
        var batch = new List<TelemetryPoint>(5_000);
        foreach (var device in devices)
        {
            var end = device.LastSeenAt ?? now;
            var silent = (now - end).TotalDays > 1;
            var level = 2 + random.NextDouble() * 6;
            for (var at = device.CreatedAt.AddDays(1); at <= end; at = at.AddDays(7))
            {
                var daysToEnd = (end - at).TotalDays;
                var wind = silent && daysToEnd < 60 ? 0.25 + 0.75 * daysToEnd / 60 : 1;
                var value = Math.Max(0, level * wind * (0.85 + random.NextDouble() * 0.3));
                batch.Add(new TelemetryPoint(device.Id, UsageKey, new DateTimeOffset(at, TimeSpan.Zero).ToUnixTimeMilliseconds(), ValueKind.Number, Math.Round(value, 2), null));
                if (batch.Count == batch.Capacity)
                {
                    await store.WriteAsync([.. batch], now, cancellationToken);
                    batch.Clear();
                }
            }
        }
        if (batch.Count > 0) await store.WriteAsync([.. batch], now, cancellationToken);
        foreach (var device in devices)
        {
            await db.Devices.Where(d => d.Id == device.Id).ExecuteUpdateAsync(u => u.SetProperty(d => d.LastSeenAt, device.LastSeenAt), cancellationToken);
        }
    }

    /// <summary>Early-warning rules for the catalogue's devices (the simulator's faults trip them; the alarm benchmark runs them).</summary>
    public static IEnumerable<AlarmRule> AlarmRules(DateTime now) =>
    [
        new() { Name = "Water heater overheating", Model = "WH-50", Key = "tankTemperature", Comparison = Comparison.Above, Threshold = 85, ClearThreshold = 75, Severity = AlarmSeverity.Critical, AlarmType = "Overheating", CreatedAt = now, UpdatedAt = now },
        new() { Name = "Water heater overheating", Model = "WH-80", Key = "tankTemperature", Comparison = Comparison.Above, Threshold = 85, ClearThreshold = 75, Severity = AlarmSeverity.Critical, AlarmType = "Overheating", CreatedAt = now, UpdatedAt = now },
        new() { Name = "Leak detected", Model = null, Key = "leak", Comparison = Comparison.AtLeast, Threshold = 1, Severity = AlarmSeverity.Critical, AlarmType = "Leak", CreatedAt = now, UpdatedAt = now },
        new() { Name = "Purifier fan stalled", Model = "AP-300", Key = "fanRpm", Comparison = Comparison.Below, Threshold = 100, ClearThreshold = 300, Severity = AlarmSeverity.Major, AlarmType = "FanStall", CreatedAt = now, UpdatedAt = now },
        new() { Name = "Purifier fan stalled", Model = "AP-600", Key = "fanRpm", Comparison = Comparison.Below, Threshold = 100, ClearThreshold = 300, Severity = AlarmSeverity.Major, AlarmType = "FanStall", CreatedAt = now, UpdatedAt = now },
        new() { Name = "Filter worn out", Model = null, Key = "filterLife", Comparison = Comparison.AtMost, Threshold = 5, ClearThreshold = 50, Severity = AlarmSeverity.Warning, AlarmType = "FilterWorn", CreatedAt = now, UpdatedAt = now },
        new() { Name = "Thermostat battery low", Model = null, Key = "battery", Comparison = Comparison.AtMost, Threshold = 15, ClearThreshold = 30, Severity = AlarmSeverity.Warning, AlarmType = "BatteryLow", CreatedAt = now, UpdatedAt = now },
    ];

    private static void AddHistory(CrmDb db, Faker faker, Customer customer, Product[] devices, Product[] extras, string[] agents, DateTime now, List<(Device Device, Alarm Alarm)> alarms)
    {
        var isCompany = customer.Kind == CustomerKind.Company;
        // A few loyal customers buy often, most buy once or twice, some never.
        var orderCount = faker.Random.Double() switch { < 0.15 => 0, < 0.6 => 1, < 0.85 => faker.Random.Int(2, 3), _ => faker.Random.Int(4, 8) };
        // A quarter drift away: from some day 100 to 220 days ago they stop buying, their devices wind down and fall silent,
        // alarms recur and complaints come in. Nothing marks them: the churn model has to find them from those traces.
        var driftsAway = faker.Random.Double() < 0.25;
        var leftDaysAgo = faker.Random.Double(100, 220);
        var since = driftsAway ? leftDaysAgo : 0;
        for (var o = 0; o < orderCount; o++)
        {
            var order = new Order
            {
                CustomerId = customer.Id,
                OrderedAt = now.AddDays(-faker.Random.Double(since, 365)),
                Channel = faker.PickRandom<SalesChannel>(),
                Status = faker.Random.Double() switch { < 0.04 => OrderStatus.Cancelled, < 0.07 => OrderStatus.Returned, < 0.12 => OrderStatus.Shipped, _ => OrderStatus.Delivered },
            };
            var device = faker.PickRandom(devices);
            order.Lines.Add(new OrderLine { ProductId = device.Id, Quantity = isCompany ? faker.Random.Int(2, 20) : 1, UnitPrice = device.Price });
            // Most buyers connect what they bought: one registered device per device bought (a company registers one per order).
            if (order.Status is OrderStatus.Delivered && faker.Random.Double() < 0.8)
            {
                // A drifting customer's devices fall silent some weeks after they start drifting; a few others' too (moved, unplugged).
                var silent = driftsAway ? faker.Random.Double() < 0.8 : faker.Random.Double() < 0.06;
                var lastSeen = silent
                    ? now.AddDays(-Math.Max(2, (driftsAway ? leftDaysAgo - faker.Random.Double(0, 70) : faker.Random.Double(5, 200))))
                    : now.AddMinutes(-faker.Random.Double(0, 600));
                if (lastSeen < order.OrderedAt) lastSeen = order.OrderedAt.AddDays(3);
                var registered = new Device
                {
                    Name = device.Name, Model = device.Sku, Serial = $"{device.Sku}-{faker.Random.AlphaNumeric(8).ToUpperInvariant()}", CustomerId = customer.Id,
                    Online = !silent && faker.Random.Double() < 0.85, LastSeenAt = lastSeen, CreatedAt = order.OrderedAt, UpdatedAt = order.OrderedAt,
                };
                DeviceToken.Assign(registered, DeviceToken.New());
                db.Devices.Add(registered);
                // Recurring alarms: most drifting customers' devices kept raising the same alarm around the time they started drifting.
                if (driftsAway ? faker.Random.Double() < 0.55 : faker.Random.Double() < 0.08)
                {
                    var type = faker.PickRandom("Overheating", "FanStall", "FilterWorn", "BatteryLow", "Leak");
                    var started = driftsAway ? now.AddDays(-leftDaysAgo + faker.Random.Double(-40, 20)) : now.AddDays(-faker.Random.Double(0, 300));
                    if (started < order.OrderedAt) started = order.OrderedAt.AddDays(1);
                    if (started > now) started = now.AddDays(-1);
                    var cleared = started.AddDays(faker.Random.Double(0.5, 5));
                    alarms.Add((registered, new Alarm
                    {
                        CustomerId = customer.Id, Type = type, Severity = type is "Overheating" or "Leak" ? AlarmSeverity.Critical : AlarmSeverity.Major,
                        Status = cleared < now ? AlarmStatus.Cleared : AlarmStatus.Active, Source = AlarmSource.Rule, Message = type + " (recurring)",
                        Count = driftsAway ? faker.Random.Int(2, 8) : faker.Random.Int(1, 2), StartedAt = started, LastAt = cleared,
                        ClearedAt = cleared < now ? cleared : null, ClearedBy = cleared < now ? "device" : null,
                    }));
                }
            }
            if (faker.Random.Double() < 0.6)
            {
                var extra = faker.PickRandom(extras);
                // Three buyers in four take an accessory or plan that goes with the device (a filter with a purifier), as real
                // baskets do; chosen from the draw already made, so the rest of the demo stays as it was.
                var related = Array.FindAll(extras, e => e.Category == device.Category);
                var drawn = Array.IndexOf(extras, extra);
                // Which orders take a related one goes by the order's time, not by the extra drawn: chosen by the draw, the
                // plans that go with no device were only ever sold with a hub.
                if (related.Length > 0 && order.OrderedAt.Ticks / TimeSpan.TicksPerSecond % 4 != 0) extra = related[drawn % related.Length];
                order.Lines.Add(new OrderLine { ProductId = extra.Id, Quantity = faker.Random.Int(1, 3), UnitPrice = extra.Price });
            }
            order.Total = order.Lines.Sum(l => l.UnitPrice * l.Quantity);
            db.Orders.Add(order);
        }
        for (var n = faker.Random.Int(2, 18); n > 0; n--)
        {
            var channel = faker.PickRandom<Channel>();
            db.Interactions.Add(new Interaction
            {
                CustomerId = customer.Id,
                Channel = channel,
                Direction = channel is Channel.Email ? Direction.Outbound : faker.Random.Double() < 0.7 ? Direction.Inbound : Direction.Outbound,
                Subject = faker.PickRandom(Subjects[channel]),
                Body = faker.Lorem.Sentence(12),
                // Drifting customers mostly stop talking to us too.
                OccurredAt = now.AddDays(-faker.Random.Double(driftsAway && faker.Random.Double() < 0.8 ? since : 0, 365)),
                Agent = channel is Channel.Phone or Channel.Chat ? faker.PickRandom(agents) : null,
            });
        }
        if (faker.Random.Double() < (isCompany ? 0.35 : 0.04))
        {
            var stage = faker.PickRandom(Stage.Lead, Stage.Qualified, Stage.Proposal, Stage.Negotiation, Stage.Won, Stage.Lost);
            db.Opportunities.Add(new Opportunity
            {
                CustomerId = customer.Id,
                Title = faker.PickRandom("Office climate upgrade", "Purifiers for clinic", "Heater replacement", "Thermostats for rental units", "Service plan renewal"),
                Stage = stage,
                Amount = Math.Round(faker.Random.Decimal(500, isCompany ? 40_000 : 2_000), 0),
                ExpectedClose = now.Date.AddDays(faker.Random.Int(-20, 120)),
                Owner = faker.PickRandom("sam", "alex", "kim"),
                CreatedAt = now.AddDays(-faker.Random.Int(1, 120)),
                UpdatedAt = now.AddDays(-faker.Random.Int(0, 10)),
            });
        }
        if (faker.Random.Double() < (driftsAway ? 0.45 : 0.2))
        {
            var kind = driftsAway ? faker.PickRandom(TicketKind.Fault, TicketKind.Refund, TicketKind.Return) : faker.PickRandom<TicketKind>();
            var created = now.AddDays(-faker.Random.Double(0, driftsAway ? 200 : 60));
            var priority = kind == TicketKind.Fault ? faker.PickRandom(Priority.Normal, Priority.High, Priority.Urgent) : faker.PickRandom(Priority.Low, Priority.Normal);
            var status = faker.Random.Double() switch { < 0.25 => TicketStatus.New, < 0.5 => TicketStatus.Open, < 0.6 => TicketStatus.Pending, < 0.85 => TicketStatus.Resolved, _ => TicketStatus.Closed };
            var changed = created.AddHours(faker.Random.Double(0, 48));
            db.Tickets.Add(new Ticket
            {
                CustomerId = customer.Id,
                Kind = kind,
                Subject = faker.PickRandom(TicketSubjects[kind]),
                Description = faker.Lorem.Sentences(2),
                Status = status,
                Priority = priority,
                Assignee = faker.Random.Double() < 0.7 ? faker.PickRandom(agents) : null,
                CreatedAt = created,
                UpdatedAt = changed,
                DueAt = created.Add(Sla.ResponseTime(priority)),
                FirstResponseDueAt = created.Add(Sla.For(priority, CustomerTier.Standard).FirstResponse),
                FirstRespondedAt = status == TicketStatus.New ? null : changed,
                PausedAt = status == TicketStatus.Pending ? changed : null,
                ResolvedAt = status is TicketStatus.Resolved or TicketStatus.Closed ? changed : null,
            });
        }
        db.Consents.Add(new Consent { CustomerId = customer.Id, Purpose = ConsentPurpose.MarketingEmail, Granted = faker.Random.Double() < 0.6, Source = "signup", RecordedAt = customer.CreatedAt });
        if (faker.Random.Double() < 0.5)
        {
            db.Consents.Add(new Consent { CustomerId = customer.Id, Purpose = ConsentPurpose.Telemetry, Granted = true, Source = "device setup", RecordedAt = customer.CreatedAt.AddDays(1) });
        }
    }
}
