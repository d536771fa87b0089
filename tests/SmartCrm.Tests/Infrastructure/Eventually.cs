namespace SmartCrm.Tests.Infrastructure;

/// <summary>For what the app does after answering (alarms after telemetry is committed): try until it holds or time runs out.</summary>
public static class Eventually
{
    public static async Task<T> HoldsAsync<T>(Func<Task<T>> probe, Func<T, bool> holds, string what, int seconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var value = await probe();
            if (holds(value)) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Not within {seconds} s: {what} (last: {Describe(value)})");
            await Task.Delay(50);
        }
    }

    private static string? Describe(object? value) => value is System.Collections.IEnumerable items and not string
        ? "[" + string.Join(", ", items.Cast<object?>()) + "]"
        : value?.ToString();
}
