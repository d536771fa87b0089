using Microsoft.Extensions.DependencyInjection;
using SmartCrm.Operations;
using SmartCrm.Storage;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Operations;

public sealed class JobLeaseTests(Apps apps) : IClassFixture<Apps>
{
    [Fact]
    public async Task On_postgresql_one_node_at_a_time_holds_a_jobs_lease()
    {
        if (PostgresDatabase.SkipReason is { } reason)
        {
            Console.WriteLine("Skipping: " + reason);
            return;
        }
        // Two nodes on one database: two apps with their own connections.
        var first = apps.For(Provider.Postgres).Services.GetRequiredService<DatabaseConnections>();
        var second = new DatabaseConnections(Microsoft.Extensions.Options.Options.Create(new SmartCrm.Storage.StorageOptions
        {
            Database = apps.For(Provider.Postgres).Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<SmartCrm.Storage.StorageOptions>>().Value.Database,
        }));

        await using (var held = await JobLease.TryAcquireAsync(first, "test-job-a", CancellationToken.None))
        {
            held.ShouldNotBeNull();
            (await JobLease.TryAcquireAsync(second, "test-job-a", CancellationToken.None)).ShouldBeNull("the other node holds it");
            await using var other = await JobLease.TryAcquireAsync(second, "test-job-b", CancellationToken.None);
            other.ShouldNotBeNull("another job's lease is free");
        }
        await using var after = await JobLease.TryAcquireAsync(second, "test-job-a", CancellationToken.None);
        after.ShouldNotBeNull("released when the first run ended");
        second.Dispose();
    }

    [Fact]
    public void Keys_are_the_fnv1a_hash_of_the_name_so_every_node_computes_the_same()
    {
        // Computed independently (Python): a per-process string hash would differ between nodes and break the lock.
        JobLease.Key("retention").ShouldBe(-4505843845379211855);
        JobLease.Key("device-status").ShouldNotBe(JobLease.Key("retention"));
    }
}
