namespace SmartCrm.Telemetry;

public static class TelemetrySetup
{
    /// <summary>The time-series store, the batching writer and its feed, and the retention job.</summary>
    public static IServiceCollection AddTelemetry(this IServiceCollection services)
    {
        services.AddSingleton<TelemetryStore>();
        services.AddSingleton<TelemetryClock>();
        services.AddSingleton<TelemetryFeed>();
        services.AddSingleton<TelemetryWriter>();
        services.AddHostedService(s => s.GetRequiredService<TelemetryWriter>());
        services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<TelemetryRetentionJob>();
        services.AddHostedService(s => s.GetRequiredService<TelemetryRetentionJob>());
        return services;
    }
}
