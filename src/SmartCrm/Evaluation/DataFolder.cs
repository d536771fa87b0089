namespace SmartCrm.Evaluation;

internal static class DataFolder
{
    /// <summary>The nearest `shared/data` folder at or above the current directory (the project sits beside `shared/`).</summary>
    public static DirectoryInfo FindDefault()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = new DirectoryInfo(Path.Combine(dir.FullName, "shared", "data"));
            if (candidate.Exists) return candidate;
        }
        return new DirectoryInfo(Path.Combine("..", "shared", "data"));
    }
}
