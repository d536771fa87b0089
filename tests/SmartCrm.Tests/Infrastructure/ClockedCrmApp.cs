using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SmartCrm.Storage;

namespace SmartCrm.Tests.Infrastructure;

/// <summary>
/// The app on a clock the test sets (readings that arrive "in the same millisecond", a clock that went back), optionally on
/// another app's database: a second node beside it, or the same node started again.
/// </summary>
public class ClockedCrmApp : CrmApp
{
    public ClockedCrmApp(FakeTimeProvider clock, Provider provider = Provider.Sqlite) : base(provider) => Clock = clock;

    /// <summary>A node (or a restarted process) on the database of <paramref name="first"/>, with a clock of its own.</summary>
    public ClockedCrmApp(FakeTimeProvider clock, CrmApp first) : base(Provider.Sqlite)
    {
        Clock = clock;
        var storage = first.Services.GetRequiredService<IOptions<StorageOptions>>().Value;
        Settings[$"{StorageOptions.Section}:DataDirectory"] = storage.DataDirectory;
        Settings[$"{StorageOptions.Section}:Database"] = storage.Database ?? "";
    }

    public FakeTimeProvider Clock { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddSingleton<TimeProvider>(Clock));
    }
}
