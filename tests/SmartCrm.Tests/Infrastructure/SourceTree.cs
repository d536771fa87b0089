namespace SmartCrm.Tests.Infrastructure;

public static class SourceTree
{
    /// <summary>A folder of the repository (e.g. "src/SmartCrm"), found by walking up from the test's output folder.</summary>
    public static string Find(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException($"{relative} not found above {AppContext.BaseDirectory}");
    }
}
