namespace SmartCrm.Recommendations;

/// <summary>
/// What became of a recommendation: shown on the 360; accepted (the customer wants it) or bought count as a choice of the product
/// in the next training; dismissed keeps it from being recommended to that customer again.
/// </summary>
public enum FeedbackKind { Shown, Accepted, Dismissed, Bought }
