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
            for (var i = start; i < Math.Min(total, start + batch); i++) customers.Add(NewCustomer(faker, i, countries, f => now.AddDays(-f.Random.Int(30, 900))));
            await SaveBatchAsync(db, faker, customers, false, devices, extras, agents, now, cancellationToken);
        }
        // A steady trickle of new customers up to now, at the rate the older ones came in (2,000 over 870 days a unit of scale).
        // Their own random stream, so the customers above stay as they were; their history fits in the days since they came.
        var newcomers = new Faker("en") { Random = new Randomizer(20261208) };
        var recent = (int)Math.Round(total * NewcomerDays / 870.0);
        for (var start = 0; start < recent; start += batch)
        {
            var customers = new List<Customer>(batch);
            for (var i = start; i < Math.Min(recent, start + batch); i++) customers.Add(NewCustomer(newcomers, total + i, countries, f => now.AddDays(-f.Random.Double(0, NewcomerDays))));
            await SaveBatchAsync(db, newcomers, customers, true, devices, extras, agents, now, cancellationToken);
        }
        db.ChangeTracker.AutoDetectChangesEnabled = true;
        db.AuditEnabled = true;
        return true;
    }

    /// <summary>Demo devices upload their usage once a day: they are offline once they miss two days.</summary>
    private const int ReportingTimeoutSeconds = 2 * 86_400;

    /// <summary>A demo ticket still open is at most this many days old.</summary>
    private const double OpenTicketDays = 21;

    /// <summary>
    /// How long ago an open ticket came in, from where its first draw placed it in the open window (0-1): four in five within
    /// 90 % of the clock that runs (the first response for a new ticket, the resolution once answered), the others up to three
    /// times past it.
    /// </summary>
    private static TimeSpan OpenAge(SlaPolicy policy, TicketStatus status, double share)
    {
        var clock = status == TicketStatus.New ? policy.FirstResponse : policy.Resolution;
        return share < 0.8 ? clock * (share / 0.8 * 0.9) : clock * (1 + (share - 0.8) / 0.2 * 2);
    }

    /// <summary>The older customers came in from 900 to 30 days ago; the newcomers in the 30 days since.</summary>
    private const int NewcomerDays = 30;

    private static Customer NewCustomer(Faker faker, int i, string[] countries, Func<Faker, DateTime> joined)
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
            CreatedAt = joined(faker),
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
        return customer;
    }

    private static async Task SaveBatchAsync(CrmDb db, Faker faker, List<Customer> customers, bool newcomers, Product[] devices, Product[] extras, string[] agents, DateTime now, CancellationToken cancellationToken)
    {
        db.Customers.AddRange(customers);
        await db.SaveChangesAsync(cancellationToken);
        var alarms = new List<(Device Device, Alarm Alarm)>();
        foreach (var customer in customers)
        {
            AddHistory(db, faker, customer, newcomers, devices, extras, agents, now, alarms);
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

    /// <summary>The key of the demo devices' weekly usage readings (hours a day in use).</summary>
    public const string UsageKey = SmartCrm.Insights.ChurnFeatures.UsageKey;

    /// <summary>
    /// A year of weekly usage readings for every demo device, daily over the last week of a device that still reports (what
    /// a person looks at first on its page), up to its last-seen time: steady while it is in use, winding down over the last
    /// two months before a device fell silent. Owners replace what the use wears (a purifier's filter, a heater's maintenance)
    /// when it is due: most on time, one in seven late, none once one of their devices winds down before it falls silent.
    /// Written after the devices (it needs their ids), and the devices' last-seen times and status, which the telemetry writer
    /// moves, are put back.
    /// </summary>
    public static async Task SeedUsageAsync(CrmDb db, TelemetryStore store, DateTime now, CancellationToken cancellationToken)
    {
        var random = new Random(20261207);
        var devices = await db.Devices.Select(d => new { d.Id, d.CreatedAt, d.LastSeenAt, d.Online, d.Model, d.CustomerId }).ToListAsync(cancellationToken);
        var parts = new SmartCrm.Forecasts.ForecastsOptions().Consumables.Where(r => r.Sku is not null).ToDictionary(r => r.Model);
        var skus = parts.Values.Select(r => r.Sku!).ToList();
        var prices = await db.Products.Where(p => skus.Contains(p.Sku)).ToDictionaryAsync(p => p.Sku, p => (p.Id, p.Price), cancellationToken);
        var replacements = new List<Order>();
        // A customer stops buying parts for any of their devices once one of them starts winding down before it falls silent
        // (most of them are drifting away).
        var stopsBuying = devices.Where(d => d.CustomerId is not null && d.LastSeenAt is { } seen && (now - seen).TotalDays > 1)
            .GroupBy(d => d.CustomerId!.Value).ToDictionary(g => g.Key, g => g.Min(d => d.LastSeenAt!.Value).AddDays(-60));
        var batch = new List<TelemetryPoint>(5_000);
        foreach (var device in devices)
        {
            var end = device.LastSeenAt ?? now;
            var silent = (now - end).TotalDays > 1;
            var level = 2 + random.NextDouble() * 6;
            var part = device.Model is { } model && device.CustomerId is not null && parts.TryGetValue(model, out var rule) && prices.ContainsKey(rule.Sku!) ? rule : null;
            var late = random.NextDouble() < 1 / 7.0;
            var replaceAt = part is null ? double.MaxValue : Wear(random, part, late);
            var used = 0.0;
            // Weekly until the last week of a reporting device, then daily up to the moment it was last heard from.
            var daily = silent ? DateTime.MaxValue : end.AddDays(-7);
            // The first reading a day after it was set up, or when it was last seen if that is sooner (a device of yesterday).
            var firstAt = device.CreatedAt.AddDays(1) < end ? device.CreatedAt.AddDays(1) : end;
            for (var at = firstAt; at <= end;)
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
                var step = at >= daily ? 1 : 7;
                // The hours this reading stands for: a week, a day, or the days to the first daily one.
                used += value * (at < daily && at.AddDays(7) > daily ? (daily - at).TotalDays : step);
                if (used >= replaceAt && at < stopsBuying.GetValueOrDefault(device.CustomerId ?? 0, DateTime.MaxValue))
                {
                    var (productId, price) = prices[part!.Sku!];
                    var order = new Order { CustomerId = device.CustomerId!.Value, OrderedAt = at.AddHours(random.NextDouble() * 24 * step), Channel = random.NextDouble() < 0.7 ? SalesChannel.Web : SalesChannel.Store, Status = OrderStatus.Delivered, Total = price };
                    if (order.OrderedAt > now) order.OrderedAt = now.AddMinutes(-random.NextDouble() * 60);
                    order.Lines.Add(new OrderLine { ProductId = productId, Quantity = 1, UnitPrice = price });
                    replacements.Add(order);
                    used = 0;
                    replaceAt = Wear(random, part, late);
                }
                // Daily from a week before the end, and the last reading at the very moment it was last seen, so that its page
                // and its status agree.
                var next = at.AddDays(step);
                if (at < daily && next > daily) next = daily;
                at = at < end && next > end && !silent ? end : next;
            }
        }
        if (batch.Count > 0) await store.WriteAsync([.. batch], now, cancellationToken);
        foreach (var device in devices)
        {
            await db.Devices.Where(d => d.Id == device.Id)
                .ExecuteUpdateAsync(u => u.SetProperty(d => d.LastSeenAt, device.LastSeenAt).SetProperty(d => d.Online, device.Online), cancellationToken);
        }
        db.AuditEnabled = false;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        foreach (var chunk in replacements.OrderBy(o => o.OrderedAt).Chunk(1_000))
        {
            db.Orders.AddRange(chunk);
            await db.SaveChangesAsync(cancellationToken);
            db.ChangeTracker.Clear();
        }
        db.ChangeTracker.AutoDetectChangesEnabled = true;
        db.AuditEnabled = true;
    }

    /// <summary>Hours of use after which an owner replaces the part: 80-100 % of its life on time, 115-170 % late.</summary>
    private static double Wear(Random random, SmartCrm.Forecasts.ConsumableRule part, bool late) =>
        part.LifeHours * (late ? 1.15 + random.NextDouble() * 0.55 : 0.8 + random.NextDouble() * 0.2);

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

    private static void AddHistory(CrmDb db, Faker faker, Customer customer, bool newcomer, Product[] devices, Product[] extras, string[] agents, DateTime now, List<(Device Device, Alarm Alarm)> alarms)
    {
        var isCompany = customer.Kind == CustomerKind.Company;
        // A year of history, or the days since a newcomer came in. (An older customer's history is the year whenever they
        // came: their record is moved back before their first order or contact at the end.)
        var history = newcomer ? (now - customer.CreatedAt).TotalDays : 365;
        var earliest = customer.CreatedAt;
        // A few loyal customers buy often, most buy once or twice, some never.
        var orderCount = faker.Random.Double() switch { < 0.15 => 0, < 0.6 => 1, < 0.85 => faker.Random.Int(2, 3), _ => faker.Random.Int(4, 8) };
        // A quarter drift away: from some day 100 to 220 days ago they stop buying, their devices wind down and fall silent,
        // alarms recur and complaints come in. Nothing marks them: the churn model has to find them from those traces.
        var driftsAway = faker.Random.Double() < 0.25 && history >= 365;
        var leftDaysAgo = faker.Random.Double(100, 220);
        var since = driftsAway ? leftDaysAgo : 0;
        for (var o = 0; o < orderCount; o++)
        {
            var order = new Order
            {
                CustomerId = customer.Id,
                OrderedAt = now.AddDays(-faker.Random.Double(since, history)),
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
                if (silent && lastSeen > now.AddDays(-2))
                {
                    // Bought days ago: too new to have gone quiet, it reports.
                    silent = false;
                    lastSeen = now.AddMinutes(-Math.Min(600, (now - order.OrderedAt).TotalMinutes / 2));
                }
                // The draw that once left 15 % of the reporting devices offline stays, so that the rest of the demo is as it was:
                // a device that reports is online.
                _ = faker.Random.Double();
                var registered = new Device
                {
                    Name = device.Name, Model = device.Sku, Serial = $"{device.Sku}-{faker.Random.AlphaNumeric(8).ToUpperInvariant()}", CustomerId = customer.Id,
                    Online = !silent, LastSeenAt = lastSeen, CreatedAt = order.OrderedAt, UpdatedAt = order.OrderedAt,
                    // They upload their usage once a day (SeedUsageAsync): offline once they miss two days, not after ten minutes.
                    InactivityTimeoutSeconds = ReportingTimeoutSeconds,
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
            if (order.OrderedAt < earliest) earliest = order.OrderedAt;
        }
        for (var n = faker.Random.Int(2, 18); n > 0; n--)
        {
            var channel = faker.PickRandom<Channel>();
            var interaction = new Interaction
            {
                CustomerId = customer.Id,
                Channel = channel,
                Direction = channel is Channel.Email ? Direction.Outbound : faker.Random.Double() < 0.7 ? Direction.Inbound : Direction.Outbound,
                Subject = faker.PickRandom(Subjects[channel]),
                Body = faker.Lorem.Sentence(12),
                // Drifting customers mostly stop talking to us too.
                OccurredAt = now.AddDays(-faker.Random.Double(driftsAway && faker.Random.Double() < 0.8 ? since : 0, history)),
                Agent = channel is Channel.Phone or Channel.Chat ? faker.PickRandom(agents) : null,
            };
            db.Interactions.Add(interaction);
            if (interaction.OccurredAt < earliest) earliest = interaction.OccurredAt;
        }
        if (faker.Random.Double() < (isCompany ? 0.35 : 0.04))
        {
            var stage = faker.PickRandom(Stage.Lead, Stage.Qualified, Stage.Proposal, Stage.Negotiation, Stage.Won, Stage.Lost);
            var opportunity = new Opportunity
            {
                CustomerId = customer.Id,
                Title = faker.PickRandom("Office climate upgrade", "Purifiers for clinic", "Heater replacement", "Thermostats for rental units", "Service plan renewal"),
                Stage = stage,
                Amount = Math.Round(faker.Random.Decimal(500, isCompany ? 40_000 : 2_000), 0),
                ExpectedClose = now.Date.AddDays(faker.Random.Int(-20, 120)),
                Owner = faker.PickRandom("sam", "alex", "kim"),
                CreatedAt = now.AddDays(-Math.Min(history, faker.Random.Int(1, 120))),
                UpdatedAt = now.AddDays(-Math.Min(history, faker.Random.Int(0, 10))),
            };
            db.Opportunities.Add(opportunity);
            if (opportunity.CreatedAt < earliest) earliest = opportunity.CreatedAt;
        }
        if (faker.Random.Double() < (driftsAway ? 0.45 : 0.2))
        {
            var kind = driftsAway ? faker.PickRandom(TicketKind.Fault, TicketKind.Refund, TicketKind.Return) : faker.PickRandom<TicketKind>();
            var created = now.AddDays(-faker.Random.Double(0, Math.Min(history, driftsAway ? 200 : 60)));
            var priority = kind == TicketKind.Fault ? faker.PickRandom(Priority.Normal, Priority.High, Priority.Urgent) : faker.PickRandom(Priority.Low, Priority.Normal);
            var status = faker.Random.Double() switch { < 0.25 => TicketStatus.New, < 0.5 => TicketStatus.Open, < 0.6 => TicketStatus.Pending, < 0.85 => TicketStatus.Resolved, _ => TicketStatus.Closed };
            var worked = faker.Random.Double(0, 48) / 48;
            if (status is TicketStatus.New or TicketStatus.Open or TicketStatus.Pending)
            {
                // The desk keeps up: a ticket still open is from the last few weeks at most, or it has been resolved since. Those
                // still open came in recently enough that most SLA clocks still run; one in five is past its time.
                var age = (now - created).TotalDays;
                if (age > OpenTicketDays) status = TicketStatus.Resolved;
                else created = now - OpenAge(Sla.For(priority, CustomerTier.Standard), status, age / OpenTicketDays);
            }
            var changed = status is TicketStatus.Resolved or TicketStatus.Closed ? created.AddHours(worked * 48) : created + (now - created) * worked;
            if (changed > now) changed = now;
            if (created < earliest) earliest = created;
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
        if (earliest < customer.CreatedAt)
        {
            // A customer was on file before their first order or contact.
            db.Entry(customer).Property(c => c.CreatedAt).CurrentValue = earliest.AddDays(-1);
            db.Entry(customer).Property(c => c.UpdatedAt).CurrentValue = earliest.AddDays(-1);
        }
        db.Consents.Add(new Consent { CustomerId = customer.Id, Purpose = ConsentPurpose.MarketingEmail, Granted = faker.Random.Double() < 0.6, Source = "signup", RecordedAt = customer.CreatedAt });
        if (faker.Random.Double() < 0.5)
        {
            db.Consents.Add(new Consent { CustomerId = customer.Id, Purpose = ConsentPurpose.Telemetry, Granted = true, Source = "device setup", RecordedAt = customer.CreatedAt.AddDays(1) });
        }
    }
}
