namespace SmartCrm.Tests.Infrastructure;

/// <summary>
/// One running app per database provider, shared by the tests of a class (start-up and migrations are paid once).
/// Tests that take a <see cref="Provider"/> run on SQLite and, where a PostgreSQL server is configured (always in CI), on PostgreSQL.
/// </summary>
public class Apps : IDisposable
{
    private readonly Dictionary<Provider, CrmApp> _apps = [];

    /// <summary>Settings every app of this fixture starts with.</summary>
    protected virtual void Configure(CrmApp app)
    {
    }
    private readonly Lock _gate = new();

    public static TheoryData<Provider> Providers
    {
        get
        {
            var data = new TheoryData<Provider> { Provider.Sqlite };
            if (PostgresDatabase.SkipReason is null) data.Add(Provider.Postgres);
            return data;
        }
    }

    public CrmApp For(Provider provider)
    {
        lock (_gate)
        {
            if (!_apps.TryGetValue(provider, out var app))
            {
                app = new CrmApp(provider);
                Configure(app);
                _apps[provider] = app;
            }
            return app;
        }
    }

    public void Dispose()
    {
        foreach (var app in _apps.Values) app.Dispose();
        GC.SuppressFinalize(this);
    }
}
