namespace SmartCrm.Bench.Analytics;

/// <summary>Files of the evaluation data sets, found in the nearest shared/data folder above the working directory.</summary>
internal static class SharedData
{
    public static string PathOf(params string[] parts)
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine([dir.FullName, "shared", "data", .. parts]);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"shared/data/{string.Join('/', parts)} not found above {Directory.GetCurrentDirectory()}.");
    }
}
