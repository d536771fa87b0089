using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace SmartCrm.Customers;

public enum CustomerKind { Person, Company }

public sealed class Customer
{
    public long Id { get; set; }
    public CustomerKind Kind { get; set; }
    [MaxLength(200)] public required string Name { get; set; }
    [MaxLength(254)] public string? Email { get; set; }
    [MaxLength(40)] public string? Phone { get; set; }
    [MaxLength(200)] public string? Company { get; set; }
    [MaxLength(2)] public string? Country { get; set; }
    [MaxLength(100)] public string? City { get; set; }
    [MaxLength(300)] public string? Address { get; set; }
    public List<string> Tags { get; set; } = [];
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    /// <summary>The churn risk (0–1) the active churn model stored for this customer; null before scoring. Written by Insights only.</summary>
    public double? ChurnScore { get; set; }

    /// <summary>The customer's segment number in the active segmentation; null when not a buyer or before segmenting. Written by Insights only.</summary>
    public int? Segment { get; set; }
    public List<Contact> Contacts { get; set; } = [];
}

public sealed class Contact
{
    public long Id { get; set; }
    public long CustomerId { get; set; }
    [MaxLength(200)] public required string Name { get; set; }
    [MaxLength(100)] public string? Title { get; set; }
    [MaxLength(254)] public string? Email { get; set; }
    [MaxLength(40)] public string? Phone { get; set; }
    [JsonIgnore] public Customer? Customer { get; set; }
}

public enum ConsentPurpose { MarketingEmail, MarketingSms, MarketingPhone, Profiling, Telemetry }

public sealed class Consent
{
    public long Id { get; set; }
    public long CustomerId { get; set; }
    public ConsentPurpose Purpose { get; set; }
    public bool Granted { get; set; }
    [MaxLength(100)] public string? Source { get; set; }
    public DateTime RecordedAt { get; set; }
}

public sealed class Note
{
    public long Id { get; set; }
    public long CustomerId { get; set; }
    [MaxLength(4000)] public required string Body { get; set; }
    [MaxLength(100)] public string? Author { get; set; }
    public DateTime CreatedAt { get; set; }
}
