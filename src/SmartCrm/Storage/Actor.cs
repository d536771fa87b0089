namespace SmartCrm.Storage;

/// <summary>Who is making the change, for the audit log: the signed-in user, the API key, or the command line.</summary>
public sealed class Actor(IHttpContextAccessor? http = null)
{
    private string? _name;

    public string Name
    {
        get => _name ?? http?.HttpContext?.User.Identity?.Name ?? "system";
        set => _name = value;
    }
}
