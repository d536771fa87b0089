using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SmartCrm.Analytics.Tests.Evaluation;
using SmartCrm.Import;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Import;

/// <summary>
/// The real public files of the data sets (../shared/data beside the repository, or SMARTCRM_TEST_DATA): each imports with the expected counts and a report
/// that names every problem row. Expected problem rows are counted here by reading the file independently of the importer.
/// </summary>
public sealed class RealFilesTests(Apps apps) : IClassFixture<Apps>
{
    /// <summary>A data set file (see <see cref="DataSets"/>); every test here is a DataFact on the files it reads.</summary>
    public static string Data(string relative) => DataSets.File(relative);

    private async Task<ImportReport> ImportAsync(ImportKind kind, string file, string? map = null)
    {
        using var scope = apps.For(Provider.Sqlite).Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<Importer>().RunAsync(new ImportRequest
        {
            Kind = kind, Path = Data(file), Mapping = map is null ? new ImportMapping() : ImportMapping.Load(map), BatchSize = 5000,
        });
    }

    [DataFact("telco-churn/telco_churn.csv")]
    public async Task Telco_churn_imports_7043_customers_and_reports_the_11_blank_total_charges()
    {
        var report = await ImportAsync(ImportKind.Customers, "telco-churn/telco_churn.csv");

        (report.Run.RowsRead, report.Run.Imported, report.Run.Rejected).ShouldBe((7043, 7043, 0));
        report.Columns.ShouldContain(new ColumnUse("customerID", "externalId"), "recognised without a mapping");
        var blanks = File.ReadLines(Data("telco-churn/telco_churn.csv")).Select((line, i) => (Line: i + 1L, Fields: line.Split(',')))
            .Where(r => r.Line > 1 && r.Fields[19].Trim().Length == 0).Select(r => r.Line).ToList();
        blanks.Count.ShouldBe(11);
        report.Problems.Where(p => p.Column == "TotalCharges").Select(p => p.Line).ShouldBe(blanks);
        report.Problems.Where(p => p.Column == "TotalCharges").ShouldAllBe(p => p.Reason == "missing value" && p.Action == ProblemAction.Flagged);
        var source = await apps.For(Provider.Sqlite).WithDbAsync(db => db.CustomerSources.SingleAsync(s => s.System == "telco_churn" && s.ExternalId == "7590-VHVEG"));
        source.Attributes!.ShouldContain("\"MonthlyCharges\":29.85");
        source.Attributes!.ShouldContain("\"Contract\":\"Month-to-month\"");
    }

    [DataFact("teen-sns/snsdata.csv")]
    public async Task Teen_sns_reports_every_missing_gender_and_age_and_every_impossible_age()
    {
        var report = await ImportAsync(ImportKind.Customers, "teen-sns/snsdata.csv", "teen-sns");

        (report.Run.RowsRead, report.Run.Imported).ShouldBe((30000, 30000));
        var rows = File.ReadLines(Data("teen-sns/snsdata.csv")).Skip(1).Select((line, i) => (Line: i + 2L, Fields: line.Split(','))).ToList();
        var noGender = rows.Where(r => r.Fields[1] is "NA" or "").Select(r => r.Line).ToList();
        var noAge = rows.Where(r => r.Fields[2] is "NA" or "").Select(r => r.Line).ToList();
        var impossible = rows.Where(r => double.TryParse(r.Fields[2], System.Globalization.CultureInfo.InvariantCulture, out var age) && age is < 13 or > 20).Select(r => r.Line).ToList();
        noGender.Count.ShouldBeGreaterThan(1000);
        impossible.Count.ShouldBeGreaterThan(100);
        using var scope = apps.For(Provider.Sqlite).Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<SmartCrm.Storage.CrmDb>();
        var problems = await db.ImportProblems.Where(p => p.RunId == report.Run.Id).Select(p => new { p.Line, p.Column, p.Reason }).ToListAsync();
        problems.Where(p => p.Column == "gender" && p.Reason == "missing value").Select(p => p.Line).Order().ShouldBe(noGender);
        problems.Where(p => p.Column == "age" && p.Reason == "missing value").Select(p => p.Line).Order().ShouldBe(noAge);
        problems.Where(p => p.Column == "age" && p.Reason.StartsWith("outlier", StringComparison.Ordinal)).Select(p => p.Line).Order().ShouldBe(impossible);
    }

    [DataFact("ml-100k/u.user", "ml-100k/u.item", "ml-100k/u.data")]
    public async Task MovieLens_imports_943_users_1682_products_from_latin1_and_100000_ratings()
    {
        var users = await ImportAsync(ImportKind.Customers, "ml-100k/u.user", "movielens-users");
        var items = await ImportAsync(ImportKind.Products, "ml-100k/u.item", "movielens-items");
        var ratings = await ImportAsync(ImportKind.Ratings, "ml-100k/u.data", "movielens-ratings");

        users.Run.Imported.ShouldBe(943);
        items.Run.Imported.ShouldBe(1682);
        (ratings.Run.Imported, ratings.Run.Rejected).ShouldBe((100_000, 0));
        var app = apps.For(Provider.Sqlite);
        (await app.WithDbAsync(db => db.Products.Where(p => p.Sku == "ml-543").Select(p => p.Name).SingleAsync())).ShouldBe("Misérables, Les (1995)", "u.item is Latin-1");
        (await app.WithDbAsync(db => db.Ratings.CountAsync(r => db.Products.Any(p => p.Id == r.ProductId && p.Sku.StartsWith("ml-"))))).ShouldBe(100_000);
    }

    [DataFact("groceries/groceries.csv")]
    public async Task Groceries_imports_9835_baskets_as_orders_of_169_products()
    {
        var report = await ImportAsync(ImportKind.Baskets, "groceries/groceries.csv", "groceries");

        (report.Run.Imported, report.Run.Rejected).ShouldBe((9835, 0));
        report.Steps["products created from basket items"].ShouldBe(169);
        var lines = File.ReadLines(Data("groceries/groceries.csv")).Sum(l => l.Split(',').Distinct().Count());
        var app = apps.For(Provider.Sqlite);
        var walkIn = await app.WithDbAsync(db => db.CustomerSources.Where(s => s.System == "groceries").Select(s => s.CustomerId).SingleAsync());
        (await app.WithDbAsync(db => db.Orders.CountAsync(o => o.CustomerId == walkIn))).ShouldBe(9835);
        (await app.WithDbAsync(db => db.OrderLines.CountAsync(l => db.Orders.Any(o => o.Id == l.OrderId && o.CustomerId == walkIn)))).ShouldBe(lines);
    }
}
