using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SmartCrm.Analytics.Evaluation;
using SmartCrm.Analytics.Recommendation;
using SmartCrm.Analytics.Tests.Evaluation;
using SmartCrm.Import;
using SmartCrm.Models;
using SmartCrm.Recommendations;
using SmartCrm.Security;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Recommendations;

/// <summary>The product's training on imported ratings finds what `smartcrm eval recommend` finds on the files themselves.</summary>
public sealed class MovieLensReproductionTests
{
    [DataFact("ml-100k/u.user", "ml-100k/u.item", "ml-100k/u1.base", "ml-100k/u1.test")]
    public async Task Ratings_of_u1_base_imported_give_the_stored_recommendations_the_precision_at_10_of_eval_recommend_on_u1_test()
    {
        using var app = RecommendationTests.NewApp(Provider.Sqlite);
        using (var scope = app.Services.CreateScope())
        {
            var importer = scope.ServiceProvider.GetRequiredService<Importer>();
            foreach (var (kind, file, map) in new[] { (ImportKind.Customers, "u.user", "movielens-users"), (ImportKind.Products, "u.item", "movielens-items"), (ImportKind.Ratings, "u1.base", "movielens-ratings") })
            {
                var report = await importer.RunAsync(new ImportRequest { Kind = kind, Path = DataSets.File("ml-100k/" + file), Mapping = ImportMapping.Load(map), BatchSize = 5000 });
                report.Run.Rejected.ShouldBe(0, file);
            }
        }

        var run = await RecommendationTests.TrainAsync(app.ClientAs(Role.Analyst));
        run.State.ShouldBe(TrainingState.Succeeded, run.Message);

        // What eval does (RecommendEvaluation: ImplicitALS on u1.base, top 10 for every u1.test user), done here on the files.
        var train = Read("u1.base");
        var test = Read("u1.test");
        var relevant = test.GroupBy(r => r.User).ToDictionary(g => g.Key, g => (IReadOnlySet<int>)g.Select(r => r.Item).ToHashSet());
        var evalModel = ImplicitAls.Fit(RatingTable.From(train), new ImplicitAlsOptions { Factors = 32, Alpha = 1, Regularization = 20, Iterations = 15, Seed = 1 });
        var evalPrecision = relevant.Average(u => Metrics.PrecisionAtK(evalModel.Recommend(u.Key, 10), u.Value, 10));

        // The product's stored recommendations for the same users, in MovieLens ids.
        var (users, items, stored) = await app.WithDbAsync(async db => (
            await db.CustomerSources.Where(s => s.System == "movielens").ToDictionaryAsync(s => s.CustomerId, s => int.Parse(s.ExternalId, CultureInfo.InvariantCulture)),
            await db.Products.Where(p => p.Sku.StartsWith("ml-")).ToDictionaryAsync(p => p.Id, p => int.Parse(p.Sku[3..], CultureInfo.InvariantCulture)),
            await db.Recommendations.OrderBy(r => r.CustomerId).ThenBy(r => r.Rank).ToListAsync()));
        var ranked = stored.GroupBy(r => users[r.CustomerId]).ToDictionary(g => g.Key, g => (IReadOnlyList<int>)[.. g.Select(r => items[r.ProductId])]);
        ranked.Values.ShouldAllBe(list => list.Count == 10);
        var productPrecision = relevant.Average(u => Metrics.PrecisionAtK(ranked.GetValueOrDefault(u.Key) ?? [], u.Value, 10));

        Math.Round(productPrecision, 3).ShouldBe(Math.Round(evalPrecision, 3));
        productPrecision.ShouldBe(0.515, 0.0015, "the figure `smartcrm eval recommend` prints for ImplicitALS on u1");
        var version = (await app.Services.GetRequiredService<ModelRegistry>().HistoryAsync(RecommendationTraining.Name, 1, CancellationToken.None)).Single();
        Console.WriteLine($"ml-100k u1: product precision@10 {productPrecision:0.####}, eval {evalPrecision:0.####}; in-product holdout metrics {version.Metrics}");
    }

    private static List<Rating> Read(string file) =>
        [.. File.ReadLines(DataSets.File("ml-100k/" + file)).Where(l => l.Length > 0).Select(l => l.Split('\t'))
            .Select(f => new Rating(int.Parse(f[0], CultureInfo.InvariantCulture), int.Parse(f[1], CultureInfo.InvariantCulture), double.Parse(f[2], CultureInfo.InvariantCulture)))];
}
