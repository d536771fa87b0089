using System.Diagnostics;
using System.Globalization;

namespace SmartCrm.Import;

/// <summary>Where an import's time goes (reading, cleaning, writing, committing), logged at Debug: the figures to look at before tuning.</summary>
internal sealed class ImportPhases
{
    private readonly Dictionary<string, long> _ticks = new(StringComparer.Ordinal);
    private readonly long _began = Stopwatch.GetTimestamp();
    private string? _current;
    private long _since;

    public void Start(string phase)
    {
        _current = phase;
        _since = Stopwatch.GetTimestamp();
    }

    public void Stop()
    {
        if (_current is null) return;
        ref var ticks = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_ticks, _current, out _);
        ticks += Stopwatch.GetTimestamp() - _since;
        _current = null;
    }

    public Scope Time(string phase)
    {
        Start(phase);
        return new Scope(this);
    }

    public readonly struct Scope(ImportPhases phases) : IDisposable
    {
        public void Dispose() => phases.Stop();
    }

    public void Log(ILogger logger)
    {
        if (!logger.IsEnabled(LogLevel.Debug)) return;
        var total = Stopwatch.GetElapsedTime(_began);
        var parts = string.Join(", ", _ticks.OrderByDescending(p => p.Value).Select(p =>
            string.Create(CultureInfo.InvariantCulture, $"{p.Key} {Stopwatch.GetElapsedTime(0, p.Value).TotalSeconds:0.0} s")));
#pragma warning disable CA1848, CA1873 // once per import
        logger.LogDebug("Import phases: {Parts} (total {Total:0.0} s)", parts, total.TotalSeconds);
#pragma warning restore CA1848, CA1873
    }
}
