using Microsoft.Extensions.Time.Testing;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Service;

/// <summary>One app per provider on a clock the tests move (SLA clocks), shared by a class's tests.</summary>
public sealed class DeskApps : IDisposable
{
    private readonly Dictionary<Provider, ClockedCrmApp> _apps = [];
    private readonly Lock _gate = new();

    public ClockedCrmApp For(Provider provider)
    {
        lock (_gate)
        {
            if (!_apps.TryGetValue(provider, out var app))
            {
                app = new ClockedCrmApp(new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero)), provider);
                _apps[provider] = app;
            }
            return app;
        }
    }

    public void Dispose()
    {
        foreach (var app in _apps.Values) app.Dispose();
    }
}
