namespace SmartCrm.Analytics.Tests.Evaluation;

/// <summary>Finds ../shared/data (the evaluation data sets beside the repository) by walking up from the test's folder.</summary>
internal static class SharedDataFolder
{
    public static string? Find()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data");
            if (Directory.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>The path of a data file, or null when the data sets are not beside this checkout.</summary>
    public static string? File(params string[] parts)
    {
        var root = Find();
        if (root is null) return null;
        var path = Path.Combine([root, .. parts]);
        return System.IO.File.Exists(path) ? path : null;
    }
}
