using Microsoft.Extensions.Logging;

namespace SmartCrm.Mqtt.Tests.Support;

/// <summary>A logger that keeps errors, so a test can show that nothing failed unexpectedly inside the broker.</summary>
internal sealed class ErrorLog : ILogger
{
    private readonly List<string> _errors = [];

    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_errors) return [.. _errors];
        }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (logLevel < LogLevel.Error) return;
        lock (_errors) _errors.Add(formatter(state, exception) + " " + exception);
    }
}
