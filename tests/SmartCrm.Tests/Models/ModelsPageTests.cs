using SmartCrm.Tests.Infrastructure;
using SmartCrm.Triage;

namespace SmartCrm.Tests.Models;

/// <summary>The Models page as people read it: metrics by name and value, and a version measured on nothing said to be so.</summary>
public sealed class ModelsPageTests
{
    [Fact]
    public async Task A_version_measured_on_no_held_out_tickets_reads_not_measured_and_its_metrics_are_listed_by_name()
    {
        using var app = new CrmApp();
        app.Settings["Models:PollSeconds"] = "0.2";
        var api = app.Admin();
        // A new company has closed no tickets: the seed set trains, nothing of its own is held out.
        var version = await api.TrainVersionAsync(TriageTraining.Name);
        version.GetProperty("score").GetDouble().ShouldBe(0);

        using var console = await ConsoleSession.SignInAsync(app, "admin", CrmApp.AdminPassword);
        var page = await console.Client.GetStringAsync("/models");
        var row = page[page.IndexOf($"data-version=\"{version.GetProperty("id").GetInt64()}\"", StringComparison.Ordinal)..];
        row = row[..row.IndexOf("</tr>", StringComparison.Ordinal)];
        row.ShouldContain("data-unmeasured");
        row.ShouldContain("not measured (nothing held out yet)");
        row.ShouldNotContain("holdout_accuracy = 0", Case.Sensitive, "a score over no examples is no score");
        row.ShouldContain("holdout_examples 0");
        row.ShouldNotContain("{&quot;", Case.Sensitive, "the metrics are not shown as JSON");
        row.ShouldNotContain("{\"", Case.Sensitive);
    }
}
