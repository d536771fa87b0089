namespace SmartCrm.Analytics.Tests.Evaluation;

/// <summary>
/// The public evaluation data sets (MovieLens, groceries, banking77, ...), which the repository may not carry: they sit beside it
/// in ../shared/data on the project's own machines, or in the folder named by SMARTCRM_TEST_DATA. Tests that read them use
/// <see cref="DataFactAttribute"/> or <see cref="DataTheoryAttribute"/>: outside CI a missing file skips the test with a message
/// that says how to get it; in CI (CI=true) the test runs and fails, so a missing data set can never pass silently.
/// </summary>
public static class DataSets
{
    /// <summary>Overrides where the data sets are (default: the nearest shared/data folder above the working directory).</summary>
    public const string Variable = "SMARTCRM_TEST_DATA";

    public const string HowToGet =
        "Get the data sets with scripts/get-data (downloads them from their publishers and checks their SHA-256; README, \"Data sets\"), "
        + "or set " + Variable + " to a folder that holds them";

    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The data folder: <see cref="Variable"/> when set, else the nearest shared/data above the working directory, else null.</summary>
    public static string? Folder
    {
        get
        {
            if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } configured) return Path.GetFullPath(configured);
            for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "data");
                if (Directory.Exists(candidate)) return candidate;
            }
            return null;
        }
    }

    /// <summary>The full path of a data set file ("groceries/groceries.csv"); a missing one throws with what to do about it.</summary>
    public static string File(string relative)
    {
        var folder = Folder;
        var path = folder is null ? null : Path.Combine(folder, relative);
        if (path is not null && System.IO.File.Exists(path)) return path;
        throw new FileNotFoundException($"{Describe(folder, relative)}. {HowToGet}.", path ?? relative);
    }

    /// <summary>Why a test that needs <paramref name="files"/> cannot run here, or null when it can.</summary>
    public static string? Missing(string? folder, IEnumerable<string> files)
    {
        var missing = files.Where(f => folder is null || !System.IO.File.Exists(Path.Combine(folder, f))).ToList();
        return missing.Count == 0 ? null : $"{Describe(folder, string.Join(", ", missing))}. {HowToGet}; required when CI=true.";
    }

    /// <summary>The skip message for an attribute: null in CI, where a missing file must fail the test instead.</summary>
    public static string? SkipReason(bool inCi, string? folder, IEnumerable<string> files) => inCi ? null : Missing(folder, files);

    private static string Describe(string? folder, string files)
    {
        var what = files.Contains(',', StringComparison.Ordinal) ? "Data set files" : "Data set file";
        return folder is null
            ? $"{what} {files} not found: no shared/data folder above {Directory.GetCurrentDirectory()} and {Variable} is not set"
            : $"{what} {files} not found in {folder}";
    }
}
