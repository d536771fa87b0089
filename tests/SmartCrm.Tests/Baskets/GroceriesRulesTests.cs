using Microsoft.Extensions.DependencyInjection;
using SmartCrm.Analytics.Baskets;
using SmartCrm.Analytics.Tests.Evaluation;
using SmartCrm.Baskets;
using SmartCrm.Import;
using SmartCrm.Models;
using SmartCrm.Security;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Baskets;

/// <summary>The product's training on imported baskets finds what `smartcrm eval baskets` finds on the file itself.</summary>
public sealed class GroceriesRulesTests
{
    [DataFact("groceries/groceries.csv")]
    public async Task Groceries_imported_as_orders_give_the_itemsets_and_rules_of_eval_baskets()
    {
        using var app = new CrmApp();
        app.Settings["Models:PollSeconds"] = "0.1";
        app.Settings["Models:Schedule"] = "false";
        app.Settings["Baskets:MinSupport"] = "0.001";
        app.Settings["Baskets:MinConfidence"] = "0.5";
        app.Settings["Baskets:MaxRules"] = "100000";
        var file = DataSets.File("groceries/groceries.csv");
        using (var scope = app.Services.CreateScope())
        {
            var report = await scope.ServiceProvider.GetRequiredService<Importer>().RunAsync(new ImportRequest
            {
                Kind = ImportKind.Baskets, Path = file, Mapping = ImportMapping.Load("groceries"), BatchSize = 5000,
            });
            report.Run.Imported.ShouldBe(9835);
        }

        var run = await BoughtTogetherTests.TrainAsync(app.ClientAs(Role.Analyst));
        run.State.ShouldBe(TrainingState.Succeeded, run.Message);

        // As BasketsEvaluation reads the file (one basket a non-blank line, items comma-separated), with each item trimmed as
        // the importer cleans it: the file spells two products both with and without a trailing blank ("cream cheese "), which
        // eval and peers.py count as four items (13,488 itemsets and 5,831 rules there; 13,492 and 5,829 with the two merged).
        var lines = File.ReadAllLines(file).Select(l => l.Trim()).Where(l => l.Length > 0).Select(l => l.Split(',').Select(i => i.Trim()).ToArray());
        var itemsets = FpGrowth.Mine(BasketTable.Encode(lines, out _), new ItemsetOptions { MinSupport = 0.001 });
        var rules = AssociationRules.Generate(itemsets, new RuleOptions { MinConfidence = 0.5 });
        var version = (await app.Services.GetRequiredService<ModelRegistry>().HistoryAsync(BasketTraining.Name, 1, CancellationToken.None)).Single();
        var metrics = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, double>>(version.Metrics!)!;
        (metrics["orders"], metrics["itemsets"], metrics["rules"]).ShouldBe((9835, itemsets.Itemsets.Count, rules.Count));
        (await app.WithDbAsync(db => Task.FromResult(db.BasketRules.Count()))).ShouldBe(rules.Count);
    }
}
