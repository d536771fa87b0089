using BenchmarkDotNet.Running;

// `dotnet run -c Release --project bench/SmartCrm.Bench -- --filter '*KMeans*'` runs one family;
// the HTTP load generator is `-- load ...` (see Load/LoadCommand.cs); false alarms and detections `-- alarms` (Alarms/AlarmBench.cs).
if (args.Length > 0 && args[0] == "import") return await SmartCrm.Bench.Import.ImportBench.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "load")
{
    return await SmartCrm.Bench.Load.LoadCommand.RunAsync(args[1..]);
}
if (args.Length > 0 && args[0] == "ingest") return await SmartCrm.Bench.Mqtt.IngestionBench.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "alarms") return SmartCrm.Bench.Alarms.AlarmBench.Run(args[1..]);
if (args.Length > 0 && args[0] == "service") return await SmartCrm.Bench.Service.ServiceBench.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "scoring") return await SmartCrm.Bench.Scoring.ScoringBench.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "mqtt") return await SmartCrm.Bench.Mqtt.BrokerThroughput.RunAsync(args[1..]);
BenchmarkSwitcher.FromAssembly(typeof(SmartCrm.Bench.Load.LoadCommand).Assembly).Run(args);
return 0;
