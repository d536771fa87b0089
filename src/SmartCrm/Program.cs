using SmartCrm.Hosting;

return await Cli.Create().Parse(args).InvokeAsync();

/// <summary>Entry point; named so the test host can find the assembly.</summary>
public partial class Program;
