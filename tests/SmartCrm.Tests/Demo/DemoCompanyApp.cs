using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Demo;

/// <summary>One app with the demo company seeded at scale 1, shared by the demo's tests (seeding takes a while).</summary>
public sealed class DemoCompanyApp : IDisposable
{
    public DemoCompanyApp()
    {
        App.Settings["Demo:Enabled"] = "true";
        App.CreateClient().Dispose();
    }

    public CrmApp App { get; } = new();

    public void Dispose() => App.Dispose();
}
