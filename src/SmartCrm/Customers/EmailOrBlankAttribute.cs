using System.ComponentModel.DataAnnotations;

namespace SmartCrm.Customers;

/// <summary>
/// An email address, or nothing: a blank field (what a form posts for an empty input) is no address, as the write path stores
/// it (<see cref="Normalise"/>), not an invalid one. [EmailAddress] alone refuses "" and made an empty console field unsaveable.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter)]
public sealed class EmailOrBlankAttribute : DataTypeAttribute
{
    private static readonly EmailAddressAttribute Email = new();

    public EmailOrBlankAttribute() : base(DataType.EmailAddress) => ErrorMessage = Email.FormatErrorMessage("{0}");

    public override bool IsValid(object? value) => value is null || (value is string text && (string.IsNullOrWhiteSpace(text) || Email.IsValid(text.Trim())));
}
