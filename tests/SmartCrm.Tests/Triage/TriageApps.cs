using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Triage;

/// <summary>Apps whose triage job stays idle, so each test decides when tickets are triaged and models trained.</summary>
public sealed class TriageApps : Apps
{
    protected override void Configure(CrmApp app) => app.Settings["Triage:Enabled"] = "false";
}
