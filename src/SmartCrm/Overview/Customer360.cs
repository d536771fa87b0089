using SmartCrm.Alarms;
using SmartCrm.Customers;
using SmartCrm.Insights;
using SmartCrm.Interactions;
using SmartCrm.Orders;
using SmartCrm.Recommendations;
using SmartCrm.Sales;
using SmartCrm.Tickets;

namespace SmartCrm.Overview;

/// <summary>Everything about one customer in one answer: the API's `/360` and the console's customer page.</summary>
public sealed record Customer360(
    Customer Profile,
    CustomerValue Value,
    IReadOnlyList<Interaction> RecentInteractions,
    IReadOnlyList<Order> Orders,
    IReadOnlyList<Ticket> OpenTickets,
    IReadOnlyList<Opportunity> Opportunities,
    IReadOnlyList<Consent> Consents,
    IReadOnlyList<Note> Notes,
    IReadOnlyList<DeviceHealth> Devices,
    DataQuality Quality,
    IReadOnlyList<CustomerMerge> MergeHistory,
    IReadOnlyList<CustomerSource> Sources,
    int? Segment,
    ChurnInsight? Churn,
    IReadOnlyList<NextBestAction> NextBestActions,
    IReadOnlyList<RecommendationView> Recommendations);

/// <summary>
/// How good the record is: the share of profile fields filled, which are missing, when a source system last confirmed it,
/// which systems supplied each field, and how many possible duplicates wait for review.
/// </summary>
public sealed record DataQuality(double Completeness, IReadOnlyList<string> Missing, DateTime? LastVerifiedAt,
    IReadOnlyDictionary<string, IReadOnlyList<string>> FieldSources, int OpenDuplicates);

/// <summary>A customer's device as the 360 shows it: is it online, and is anything wrong with it.</summary>
public sealed record DeviceHealth(long Id, string Name, string? Model, string? Serial, bool Online, DateTime? LastSeenAt, int OpenAlarms, AlarmSeverity? WorstAlarm);

/// <summary>What a customer is worth: spend, frequency, recency, and RFM scores 1–5 against all customers (5 is best).</summary>
public sealed record CustomerValue(
    decimal TotalSpent, int OrderCount, DateTime? FirstOrder, DateTime? LastOrder, decimal AverageOrder,
    int? RecencyDays, int? Recency, int? Frequency, int? Monetary, string? Rfm);
