using System.ComponentModel.DataAnnotations;

namespace SmartCrm.Service;

/// <summary>The mail server replies by email go out through (`Outbound:Smtp`). No host: email replies are recorded, not sent.</summary>
public sealed class SmtpSettings
{
    public string? Host { get; set; }
    [Range(1, 65535)] public int Port { get; set; } = 587;
    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;
    public string? UserName { get; set; }
    /// <summary>Given by configuration or environment only; never logged, never stored in the database.</summary>
    public string? Password { get; set; }
    /// <summary>The sender, e.g. "Acme Support &lt;support@acme.example&gt;".</summary>
    public string? From { get; set; }
    [Range(1, 300)] public int TimeoutSeconds { get; set; } = 15;
}
