using System.CommandLine;
using SmartCrm.Hosting;

// Exceptions propagate instead of System.CommandLine's handler printing them: the test host stops the program by throwing
// from WebApplicationBuilder.Build(), and must see that exception come out of the entry point.
// Ctrl+C and SIGTERM are the host's to handle (graceful shutdown), not the command line's.
return await Cli.Create().Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });

/// <summary>Entry point; named so the test host can find the assembly.</summary>
public partial class Program;
