namespace SmartCrm.Demo;

public sealed class DemoOptions
{
    public const string Section = "Demo";

    /// <summary>Fill an empty database with the demo company at start.</summary>
    public bool Enabled { get; set; }

    /// <summary>Multiplies the demo's size (1 = about 2,000 customers); benchmarks use 50.</summary>
    public int Scale { get; set; } = 1;
}
