namespace SmartCrm.Analytics.Tests.Evaluation;

/// <summary>A fact that reads data set files (paths relative to the data folder): skipped with a message when they are missing, except in CI.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class DataFactAttribute : FactAttribute
{
    public DataFactAttribute(params string[] files) => Skip = DataSets.SkipReason(DataSets.InCi, DataSets.Folder, files);
}
