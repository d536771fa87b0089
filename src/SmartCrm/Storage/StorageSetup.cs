using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace SmartCrm.Storage;

public static class StorageSetup
{
    public static IHostApplicationBuilder AddStorage(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped<Actor>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        // Contexts come from a pool: setting one up (options, services, model lookup) cost as much as a small query, on every
        // request. The per-request state (who is acting, the clock, the audit switch) is set on each one taken from the pool.
        builder.Services.AddPooledDbContextFactory<CrmDb>((services, db) => Configure(db, services.GetRequiredService<IOptions<StorageOptions>>().Value));
        builder.Services.AddScoped(services =>
        {
            var db = services.GetRequiredService<IDbContextFactory<CrmDb>>().CreateDbContext();
            db.Actor = services.GetRequiredService<Actor>();
            db.Clock = services.GetRequiredService<TimeProvider>();
            db.AuditEnabled = true;
            return db;
        });
        return builder;
    }

    public static void Configure(DbContextOptionsBuilder db, StorageOptions options)
    {
        if (options.IsPostgres)
        {
            // No retrying execution strategy: every save is one user-started transaction (the audit log is written with it),
            // which such a strategy refuses; a transient failure answers an error instead of replaying half a request.
            db.UseNpgsql(options.PostgresConnectionString);
        }
        else
        {
            db.UseSqlite(options.SqliteConnectionString);
            db.AddInterceptors(SqlitePragmas.Instance);
        }
        db.UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking);
    }

    private sealed class SqlitePragmas : DbConnectionInterceptor
    {
        public static readonly SqlitePragmas Instance = new();

        // Pooled connections keep their native handle, and the pragmas stay set on it: run them once per handle, not at every
        // open (EF opens a connection for each query; five pragmas each time cost more than the queries of a 360 view).
        private readonly ConditionalWeakTable<object, object> _prepared = [];

        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

        public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Apply(connection);
            return Task.CompletedTask;
        }

        private void Apply(DbConnection connection)
        {
            var handle = ((SqliteConnection)connection).Handle!;
            if (_prepared.TryGetValue(handle, out _)) return;
            using var command = connection.CreateCommand();
            // NORMAL is durable under WAL except for the last transactions on power loss; foreign keys are off by default in SQLite.
            // Reads through a memory map share the OS page cache across pooled connections instead of a 2 MB cache each.
            command.CommandText = "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000; PRAGMA mmap_size=1073741824;";
            command.ExecuteNonQuery();
            _prepared.AddOrUpdate(handle, handle);
        }
    }
}
