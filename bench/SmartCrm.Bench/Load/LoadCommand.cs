namespace SmartCrm.Bench.Load;

internal static class LoadCommand
{
    public static Task<int> RunAsync(string[] args)
    {
        Console.Error.WriteLine($"load: not yet written ({args.Length} arguments)");
        return Task.FromResult(2);
    }
}
