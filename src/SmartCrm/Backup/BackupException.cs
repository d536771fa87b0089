namespace SmartCrm.Backup;

/// <summary>A backup or restore that cannot go on, with a message for the operator that says why and what to do.</summary>
public sealed class BackupException(string message, Exception? inner = null) : Exception(message, inner);
