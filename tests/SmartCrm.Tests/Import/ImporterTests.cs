using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SmartCrm.Customers;
using SmartCrm.Import;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Import;

public sealed class ImporterTests(Apps apps) : IClassFixture<Apps>
{
    public static async Task<ImportReport> ImportAsync(CrmApp app, ImportKind kind, string content, ImportMapping? mapping = null,
        bool dryRun = false, bool allOrNothing = false, string extension = ".csv")
    {
        using var file = new TempFile(content, extension: extension);
        using var scope = app.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<Importer>().RunAsync(new ImportRequest
        {
            Kind = kind, Path = file.Path, FileName = "test" + extension, Mapping = mapping ?? new ImportMapping { Source = Builders.Unique("src") },
            DryRun = dryRun, AllOrNothing = allOrNothing,
        });
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Customers_are_cleaned_and_every_altered_or_rejected_row_is_reported_by_line(Provider provider)
    {
        var app = apps.For(provider);
        var domain = Builders.Unique("d") + ".example";
        var report = await ImportAsync(app, ImportKind.Customers,
            "Customer ID;Full Name;E-mail;Mobile;Country;Signup Date\n" +
            $"C1;ANNA SMITH; Anna@{domain} ;(415) 555-2671;United States;03/04/2024\n" +
            $"C2;Bo Jansen;not-an-email;+31 20 555 0100;NLD;2024-05-06\n" +
            $"C3;Carl Berg;carl@{domain};call me;Atlantis;yesterday\n" +
            $"C4;Dora\u0001Bin;dora@{domain};;;\n");

        var run = report.Run;
        (run.RowsRead, run.Imported, run.Rejected).ShouldBe((4, 3, 1));
        report.Columns.Select(c => c.Field).ShouldBe(["externalId", "name", "email", "phone", "country", "createdAt"], "suggested from the column names");
        var problems = report.Problems.Select(p => (p.Line, p.Column, p.Action, p.Reason)).ToList();
        problems.ShouldContain((2, "Full Name", ProblemAction.Altered, "name written as 'Anna Smith'"));
        problems.ShouldContain((3, "E-mail", ProblemAction.Altered, "not an email address; left out"));
        problems.ShouldContain((4, "Mobile", ProblemAction.Altered, "not a phone number; left out"));
        problems.ShouldContain((4, "Country", ProblemAction.Altered, "not a country name or ISO code; left out"));
        problems.ShouldContain((4, "Signup Date", ProblemAction.Altered, "not a date in a known format; left out"));
        report.Problems.Single(p => p.Action == ProblemAction.Rejected).ShouldSatisfyAllConditions(
            p => p.Line.ShouldBe(5), p => p.Column.ShouldBe("Full Name"), p => p.Reason.ShouldStartWith("control character U+0001"));

        var anna = await app.WithDbAsync(db => db.Customers.SingleAsync(c => c.Email == $"anna@{domain}"));
        anna.Name.ShouldBe("Anna Smith");
        anna.Phone.ShouldBe("+14155552671");
        anna.Country.ShouldBe("US");
        anna.CreatedAt.ShouldBe(new DateTime(2024, 3, 4, 0, 0, 0, DateTimeKind.Utc), TimeSpan.FromSeconds(1));
        var stored = await app.WithDbAsync(db => db.ImportProblems.Where(p => p.RunId == run.Id).CountAsync());
        stored.ShouldBe((int)report.ProblemCount);
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Missing_values_outliers_and_standardisation_follow_the_mapping(Provider provider)
    {
        var app = apps.For(provider);
        var rows = string.Join('\n', Enumerable.Range(1, 20).Select(i => $"{Builders.Unique("id")},{16 + i % 4},{(i % 5 == 0 ? "" : (10 * i).ToString(System.Globalization.CultureInfo.InvariantCulture))}"));
        var mapping = ImportMapping.FromYaml($$"""
            source: {{Builders.Unique("stats")}}
            columns:
              id: externalId
            cleaning:
              missing:
                spend: median
              outliers:
                age: { method: iqr, action: clip }
              standardise: [spend]
            """);
        var report = await ImportAsync(app, ImportKind.Customers, "id,age,spend\n" + rows + "\nodd-one,95,100\nno-age,,50\n", mapping);

        report.Run.Imported.ShouldBe(22);
        var filled = report.Problems.Where(p => p.Column == "spend" && p.Action == ProblemAction.Altered).ToList();
        filled.Count.ShouldBe(4);
        filled[0].Reason.ShouldStartWith("missing value; filled with the median ");
        var clipped = report.Problems.Single(p => p.Column == "age" && p.Action == ProblemAction.Altered);
        clipped.Line.ShouldBe(22);
        clipped.Reason.ShouldContain("clipped to");
        var attributes = await app.WithDbAsync(db => db.CustomerSources.Where(s => s.System == mapping.Source && s.ExternalId == "odd-one").Select(s => s.Attributes).SingleAsync());
        var json = JsonDocument.Parse(attributes!).RootElement;
        json.GetProperty("age").GetDouble().ShouldBeLessThan(95, "clipped to the upper fence");
        json.GetProperty("spend_z").GetDouble().ShouldNotBe(0);
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Duplicates_in_the_file_and_in_the_database_are_merged_or_queued_for_review(Provider provider)
    {
        var app = apps.For(provider);
        var api = app.Admin();
        var domain = Builders.Unique("d") + ".example";
        var surname = Builders.Unique("Lindqvist");
        var existing = await api.CreateCustomerAsync($"Katherine {surname}", $"kate@{domain}", "+1 415 555 0101");
        var report = await ImportAsync(app, ImportKind.Customers,
            "id,name,email,phone\n" +
            $"1,Katherine {surname}x,KATE@{domain},(415) 555-0101\n" +   // typo, same email and phone: merged into the existing customer
            $"2,Jonathan Okafor{surname},jo@{domain},\n" +
            $"3,\"Okafor{surname}, Jonathan\",jo@{domain},+1 212 555 0199\n" + // swapped name, same email: merged into row 2
            $"4,Jonathon Okafor{surname},,\n");                          // name only: queued for review

        (report.Run.Imported, report.Run.Merged, report.Run.ForReview).ShouldBe((2, 2, 1), string.Join("\n", report.Problems.Select(p => $"{p.Line} {p.Reason}")));
        var merged = report.Problems.Where(p => p.Reason.StartsWith("merged into customer", StringComparison.Ordinal)).ToList();
        merged.Select(p => p.Line).ShouldBe([2L, 4L]);
        merged[0].Reason.ShouldContain($"#{existing}");
        var sources = await app.WithDbAsync(db => db.CustomerSources.Where(s => s.CustomerId == existing).CountAsync());
        sources.ShouldBe(1, "the imported row is a source of the existing customer");
        var candidate = await app.WithDbAsync(db => db.DuplicateCandidates.SingleAsync(c => c.ImportRunId == report.Run.Id));
        candidate.Status.ShouldBe(CandidateStatus.Open);
        candidate.Score.ShouldBeInRange(0.75, 0.9);
        var audit = await app.WithDbAsync(db => db.AuditLog.CountAsync(a => a.Action == "Merged" && a.EntityId == existing));
        audit.ShouldBe(1);
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Imported_and_merged_customers_are_found_by_search_under_their_new_values(Provider provider)
    {
        var app = apps.For(provider);
        var domain = Builders.Unique("d") + ".example";
        var surname = Builders.Unique("Holmqvist");
        var existing = await app.Admin().CreateCustomerAsync($"Katherine {surname}", $"kate@{domain}", "+1 415 555 0101");
        var report = await ImportAsync(app, ImportKind.Customers,
            "id,name,email,phone,city\n" +
            $"1,Katharine {surname},kate@{domain},(415) 555-0101,\n" +    // merged: the newer spelling wins, so the search must follow it
            $"2,Bertil {surname},bertil@{domain},+46 8 555 0123,Lund\n" + // new
            $"3,Bertil {surname},bertil@{domain},,Uppsala\n");           // merged into row 2 of the same file: only the city changes

        (report.Run.Imported, report.Run.Merged).ShouldBe((1, 2), string.Join("\n", report.Problems.Select(p => $"{p.Line} {p.Reason}")));
        (await SearchAsync($"Katharine {surname}")).ShouldBe([existing]);
        (await SearchAsync($"Katherine {surname}")).ShouldBeEmpty("the old name left the search index");
        var bertil = (await SearchAsync($"Bertil {surname}")).ShouldHaveSingleItem();
        (await SearchAsync($"bertil@{domain}")).ShouldBe([bertil]);
        (await SearchAsync("8 555 0123")).ShouldContain(bertil, "the phone's digits without the country code");
        (await app.WithDbAsync(db => db.Customers.Where(c => c.Id == bertil).Select(c => c.City).SingleAsync())).ShouldBe("Uppsala");

        Task<List<long>> SearchAsync(string text) => app.WithDbAsync(db => CustomerSearch.Apply(db.Customers, text, db).Select(c => c.Id).ToListAsync());
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Customers_added_by_others_between_batches_keep_their_ids_and_the_import_goes_on(Provider provider)
    {
        var app = apps.For(provider);
        var source = Builders.Unique("batches");
        var rows = Enumerable.Range(1, 9).Select(i => $"B{i},{Builders.Unique("Anna")} {Builders.Unique("Berg")},{Builders.Unique("a")}@{source}.example");
        using var file = new TempFile("id,name,email\n" + string.Join('\n', rows) + "\n");
        var others = new List<long>();
        using var scope = app.Services.CreateScope();
        var report = await scope.ServiceProvider.GetRequiredService<Importer>().RunAsync(
            new ImportRequest { Kind = ImportKind.Customers, Path = file.Path, Mapping = new ImportMapping { Source = source }, BatchSize = 2 },
            run =>
            {
                // Between two batches (the last one committed) someone else creates a customer, as the console may while an import runs.
                if (run.LastLine == 0 || run.Status != ImportStatus.Running) return;
                others.Add(app.WithDbAsync(async db =>
                {
                    var customer = new Customer { Name = Builders.Unique("Walk-in"), CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow };
                    db.Customers.Add(customer);
                    await db.SaveChangesAsync();
                    return customer.Id;
                }).GetAwaiter().GetResult());
            });

        report.Run.Imported.ShouldBe(9);
        others.Count.ShouldBe(4);
        var imported = await app.WithDbAsync(db => db.CustomerSources.Where(s => s.System == source).Select(s => s.CustomerId).ToListAsync());
        imported.Distinct().Count().ShouldBe(9);
        imported.ShouldAllBe(id => !others.Contains(id));
        (await app.WithDbAsync(db => db.Customers.CountAsync(c => others.Contains(c.Id) || imported.Contains(c.Id)))).ShouldBe(13);
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task The_same_system_sending_a_customer_again_updates_it_instead_of_adding_one(Provider provider)
    {
        var app = apps.For(provider);
        var mapping = new ImportMapping { Source = Builders.Unique("erp") };
        var domain = Builders.Unique("d") + ".example";
        var first = await ImportAsync(app, ImportKind.Customers, $"id,name,email,city\nE1,Olga Petrova,olga@{domain},Riga\nE2,Ivan Petrov,ivan@{domain},Riga\nE1,Olga Petrova,olga@{domain},Tallinn\n", mapping);
        (first.Run.Imported, first.Run.Updated).ShouldBe((2, 1), "the third row is E1 again");
        var again = await ImportAsync(app, ImportKind.Customers, $"id,name,email,city\nE2,Ivan Petrov,ivan@{domain},Vilnius\n", mapping);
        (again.Run.Imported, again.Run.Updated, again.Run.Merged).ShouldBe((0, 1, 0));
        var cities = await app.WithDbAsync(db => db.Customers.Where(c => c.Email!.EndsWith(domain)).OrderBy(c => c.Email).Select(c => c.City).ToListAsync());
        cities.ShouldBe(["Vilnius", "Tallinn"]);
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task All_or_nothing_leaves_the_database_exactly_as_before(Provider provider)
    {
        var app = apps.For(provider);
        var before = await CountsAsync(app);
        var domain = Builders.Unique("d") + ".example";
        var report = await ImportAsync(app, ImportKind.Customers, $"name,email\nAnna,anna@{domain}\nBo,bo@{domain}\n\"broken,x\n", allOrNothing: true);

        report.Run.Status.ShouldBe(ImportStatus.RolledBack);
        report.Run.Rejected.ShouldBe(1);
        report.Problems.ShouldContain(p => p.Line == 4 && p.Action == ProblemAction.Rejected);
        (await CountsAsync(app)).ShouldBe(before);

        var dry = await ImportAsync(app, ImportKind.Customers, $"name,email\nCarl,carl@{domain}\n", dryRun: true);
        dry.Run.Imported.ShouldBe(1);
        (await CountsAsync(app)).ShouldBe(before, "a dry run writes nothing either");
    }

    private static Task<string> CountsAsync(CrmApp app) => app.WithDbAsync(async db =>
        $"{await db.Customers.CountAsync()} {await db.CustomerSources.CountAsync()} {await db.ImportRuns.CountAsync()} {await db.ImportProblems.CountAsync()} {await db.AuditLog.CountAsync()} {await db.DuplicateCandidates.CountAsync()}");

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task A_crashed_run_resumes_after_its_last_committed_row_and_writes_no_row_twice(Provider provider)
    {
        var app = apps.For(provider);
        var source = Builders.Unique("resume");
        var users = string.Join('\n', Enumerable.Range(1, 5).Select(i => $"{i}|{20 + i}"));
        await ImportAsync(app, ImportKind.Customers, users + "\n", ImportMapping.FromYaml($"source: {source}\nheader: false\ncolumns:\n  \"1\": externalId\n  \"2\": attributes.age\n"));
        await ImportAsync(app, ImportKind.Products, "1|Toy Story\n2|GoldenEye\n", ImportMapping.FromYaml($"source: {source}\nheader: false\nskuPrefix: {source}-\ncolumns:\n  \"1\": sku\n  \"2\": name\n"));
        var ratings = string.Join('\n', Enumerable.Range(0, 250).Select(i => $"{1 + i % 5}\t{1 + i % 2}\t{1 + i % 5}\t{881250949 + i}")) + "\n";
        var mapping = ImportMapping.FromYaml($"source: {source}\nheader: false\nskuPrefix: {source}-\ncolumns:\n  \"1\": customer\n  \"2\": sku\n  \"3\": score\n  \"4\": ratedAt\n");
        using var file = new TempFile(ratings);

        using var crash = new CancellationTokenSource();
        var batches = 0;
        await Should.ThrowAsync<OperationCanceledException>(() => Run(b => { if (b.LastLine > 0 && ++batches == 2) crash.Cancel(); }, crash.Token));
        var stored = await app.WithDbAsync(db => db.ImportRuns.SingleAsync(r => r.Source == source && r.Kind == ImportKind.Ratings));
        stored.Status.ShouldBe(ImportStatus.Failed);
        stored.LastLine.ShouldBe(200);
        (await RatingsAsync()).ShouldBe(200);

        var resumed = await Run(null, CancellationToken.None);
        resumed.Resumed.ShouldBeTrue();
        resumed.Run.Id.ShouldBe(stored.Id);
        (resumed.Run.RowsRead, resumed.Run.Imported, resumed.Run.Status).ShouldBe((250, 250, ImportStatus.Completed));
        (await RatingsAsync()).ShouldBe(250);
        await Should.ThrowAsync<ImportFileException>(() => Run(null, CancellationToken.None));

        async Task<ImportReport> Run(Action<ImportRun>? progress, CancellationToken token)
        {
            using var scope = app.Services.CreateScope();
            return await scope.ServiceProvider.GetRequiredService<Importer>().RunAsync(
                new ImportRequest { Kind = ImportKind.Ratings, Path = file.Path, Mapping = mapping, BatchSize = 100 }, progress, token);
        }

        Task<int> RatingsAsync() => app.WithDbAsync(db => db.Ratings.CountAsync(r => db.Products.Any(p => p.Id == r.ProductId && p.Sku.StartsWith(source))));
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Orders_with_lines_contacts_and_interactions_attach_to_imported_customers(Provider provider)
    {
        var app = apps.For(provider);
        var source = Builders.Unique("shop");
        var mapping = new ImportMapping { Source = source, SkuPrefix = source + "-" };
        await ImportAsync(app, ImportKind.Customers, "customer_id,name\nK1,Ada Byron\nK2,Alan Turing\n", mapping);
        await ImportAsync(app, ImportKind.Products, "sku,name,price\nA,Heater,500\nB,Filter,25\n", mapping);
        var orders = await ImportAsync(app, ImportKind.Orders,
            "order_id,customer,order_date,sku,qty\nO1,K1,2024-01-02,A,1\nO1,K1,2024-01-02,B,4\nO2,K2,2024-02-03,B,1\nO3,K9,2024-02-03,B,1\nO4,K1,2024-02-03,Z,1\nO5,K1,2024-02-03,B,-2\n", mapping);
        (orders.Run.Imported, orders.Run.Updated, orders.Run.Rejected).ShouldBe((2, 1, 3));
        orders.Problems.Select(p => (p.Line, p.Column)).ShouldBe([(5L, "customer"), (6L, "sku"), (7L, "qty")]);
        var ada = await app.WithDbAsync(db => db.CustomerSources.Where(s => s.System == source && s.ExternalId == "K1").Select(s => s.CustomerId).SingleAsync());
        var order = await app.WithDbAsync(db => db.Orders.Include(o => o.Lines).SingleAsync(o => o.CustomerId == ada));
        order.Lines.Count.ShouldBe(2);
        order.Total.ShouldBe(600m, "500 + 4 × 25 at catalogue prices");

        var json = await ImportAsync(app, ImportKind.Orders,
            "{\"customer\":\"K2\",\"orderedAt\":\"2024-03-01T10:00:00Z\",\"lines\":[{\"sku\":\"A\",\"quantity\":2,\"unitPrice\":450}]}\n", mapping, extension: ".jsonl");
        json.Run.Imported.ShouldBe(1);
        await ImportAsync(app, ImportKind.Contacts, "customer,name,title\nK1,Pat Buyer,Purchasing\n", mapping);
        var interactions = await ImportAsync(app, ImportKind.Interactions, "customer,channel,subject,date\nK1,phone,Asked about filters,2024-01-05\nK1,pigeon,Odd channel,2024-01-06\n", mapping);
        interactions.Run.Imported.ShouldBe(2);
        interactions.Problems.Single().Reason.ShouldStartWith("not one of Phone, Email");
        (await app.WithDbAsync(db => db.Contacts.CountAsync(c => c.CustomerId == ada))).ShouldBe(1);
        (await app.WithDbAsync(db => db.Interactions.CountAsync(i => i.CustomerId == ada))).ShouldBe(2);
    }

    [Fact]
    public async Task Mappings_that_do_not_fit_the_file_are_refused_with_the_line_and_the_columns()
    {
        var app = apps.For(Provider.Sqlite);
        var wrong = await Should.ThrowAsync<ImportFileException>(() => ImportAsync(app, ImportKind.Customers, "name,email\nA,a@x.com\n",
            ImportMapping.FromYaml("columns:\n  Telefon: phone\n")));
        wrong.Message.ShouldBe("line 1: the mapping names column 'Telefon', which the file does not have (columns: name, email).");
        var required = await Should.ThrowAsync<ImportFileException>(() => ImportAsync(app, ImportKind.Ratings, "who,what\n1,2\n"));
        required.Message.ShouldStartWith("line 1: no column maps to the required field 'customer'");
        var reject = await Should.ThrowAsync<ImportFileException>(() => ImportAsync(app, ImportKind.Customers, "name,shoe size\nA,42\n", ImportMapping.FromYaml("unmapped: reject")));
        reject.Message.ShouldContain("shoe size");
        var unmapped = await ImportAsync(app, ImportKind.Customers, $"name,shoe size\n{Builders.Unique("A")},42\n");
        unmapped.Problems[0].ShouldSatisfyAllConditions(p => p.Line.ShouldBe(1), p => p.Value.ShouldBe("shoe size"), p => p.Reason.ShouldContain("map to no field"));
    }
}
