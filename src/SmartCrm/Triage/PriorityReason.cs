namespace SmartCrm.Triage;

/// <summary>One thing that moved a ticket's priority score: what kind of signal, what exactly, and by how many points.</summary>
public sealed record PriorityReason(string Signal, string Detail, int Points);
