using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace SmartCrm.Records;

/// <summary>
/// The longest each string of a collection may be (a customer's tags): <see cref="MaxLengthAttribute"/> on a collection
/// bounds only its count. The error names the item (`tags[3]`), so it is reported by <see cref="RecordApi.Validate"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class EachMaxLengthAttribute(int length) : Attribute
{
    public int Length { get; } = length;

    /// <summary>Item index → message, for the items longer than <see cref="Length"/>.</summary>
    public IEnumerable<(int Index, string Message)> Check(object? value)
    {
        if (value is not IEnumerable items) yield break;
        var index = 0;
        foreach (var item in items)
        {
            if (item is string text && text.Length > Length)
                yield return (index, string.Create(CultureInfo.InvariantCulture, $"Longer than {Length} characters ({text.Length:N0})."));
            index++;
        }
    }
}
