using System.ComponentModel.DataAnnotations;

namespace SmartCrm.Customers;

/// <summary>A telephone number, or nothing: a blank field is no number (see <see cref="EmailOrBlankAttribute"/>).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter)]
public sealed class PhoneOrBlankAttribute : DataTypeAttribute
{
    private static readonly PhoneAttribute Phone = new();

    public PhoneOrBlankAttribute() : base(DataType.PhoneNumber) => ErrorMessage = Phone.FormatErrorMessage("{0}");

    public override bool IsValid(object? value) => value is null || (value is string text && (string.IsNullOrWhiteSpace(text) || Phone.IsValid(text.Trim())));
}
