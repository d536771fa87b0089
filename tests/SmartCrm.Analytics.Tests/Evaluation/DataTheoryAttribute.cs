namespace SmartCrm.Analytics.Tests.Evaluation;

/// <summary>The theory form of <see cref="DataFactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class DataTheoryAttribute : TheoryAttribute
{
    public DataTheoryAttribute(params string[] files) => Skip = DataSets.SkipReason(DataSets.InCi, DataSets.Folder, files);
}
