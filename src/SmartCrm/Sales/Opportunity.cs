using System.ComponentModel.DataAnnotations;

namespace SmartCrm.Sales;

public enum Stage { Lead, Qualified, Proposal, Negotiation, Won, Lost }

public sealed class Opportunity
{
    public long Id { get; set; }
    public long CustomerId { get; set; }
    [MaxLength(200)] public required string Title { get; set; }
    public Stage Stage { get; set; }
    public decimal Amount { get; set; }
    public DateTime ExpectedClose { get; set; }
    [MaxLength(100)] public string? Owner { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    public bool IsOpen => Stage is not (Stage.Won or Stage.Lost);
}
