namespace SmartCrm.Analytics.Tests.Evaluation;

/// <summary>Tests that need a data set skip with directions outside CI and run (and fail) in CI when it is missing.</summary>
public sealed class DataSetsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("smartcrm-datasets-").FullName;

    [Fact]
    public void Outside_ci_a_missing_file_skips_with_where_it_was_looked_for_and_how_to_get_it()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "groceries"));
        File.WriteAllText(Path.Combine(_folder, "groceries", "groceries.csv"), "milk\n");

        var reason = DataSets.SkipReason(inCi: false, _folder, ["groceries/groceries.csv", "ml-100k/u.data"]);

        reason.ShouldNotBeNull();
        reason.ShouldContain("ml-100k/u.data");
        reason.ShouldNotContain("groceries.csv", customMessage: "only the missing file is named");
        reason.ShouldContain(_folder);
        reason.ShouldContain("scripts/get-data");
        reason.ShouldContain(DataSets.Variable);
        reason.ShouldContain("required when CI=true");
    }

    [Fact]
    public void In_ci_a_missing_file_does_not_skip_so_the_test_fails()
    {
        DataSets.SkipReason(inCi: true, _folder, ["ml-100k/u.data"]).ShouldBeNull();
        DataSets.SkipReason(inCi: true, null, ["ml-100k/u.data"]).ShouldBeNull();
    }

    [Fact]
    public void Without_any_data_folder_the_message_says_so()
    {
        var reason = DataSets.SkipReason(inCi: false, null, ["timeseries/airpassengers.csv"]);

        reason.ShouldNotBeNull();
        reason.ShouldContain("no shared/data folder");
        reason.ShouldContain("scripts/get-data");
    }

    [Fact]
    public void Present_files_run()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "timeseries"));
        File.WriteAllText(Path.Combine(_folder, "timeseries", "airpassengers.csv"), "\"month\",\"passengers\"\n");

        DataSets.SkipReason(inCi: false, _folder, ["timeseries/airpassengers.csv"]).ShouldBeNull();
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
