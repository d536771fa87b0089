namespace SmartCrm.Triage;

/// <summary>Settings of the triage job (section "Triage").</summary>
public sealed class TriageOptions
{
    public const string Section = "Triage";

    /// <summary>False leaves the job idle: tickets are then triaged only when asked (POST /api/v1/tickets/{id}/triage).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the job looks for untriaged open tickets.</summary>
    public int PeriodSeconds { get; set; } = 30;

    /// <summary>How often the category model is retrained on the company's labelled tickets.</summary>
    public double RetrainHours { get; set; } = 24;

    /// <summary>Tickets triaged per run at most.</summary>
    public int BatchSize { get; set; } = 500;
}
