namespace SmartCrm.Service;

/// <summary>How the SMTP connection is secured: StartTls upgrades a plain connection (port 587), SslOnConnect is TLS from the start (465).</summary>
public enum SmtpSecurity { None, StartTls, SslOnConnect }
