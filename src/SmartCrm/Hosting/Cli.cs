using System.CommandLine;
using SmartCrm.Evaluation;

namespace SmartCrm.Hosting;

internal static class Cli
{
    public static RootCommand Create()
    {
        var root = new RootCommand("SmartCrm: the CRM for companies whose customers own connected products");
        root.Subcommands.Add(EvaluationCommand.Create());
        return root;
    }
}
