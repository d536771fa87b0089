using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Records;
using SmartCrm.Storage;

namespace SmartCrm.Campaigns;

public sealed record CampaignVariantInput
{
    [Required, MaxLength(40)] public string? Name { get; init; }
    [Required, MaxLength(4000)] public string? Message { get; init; }
}

/// <summary>A campaign as the API and the console's form take it; defaults: 10 % hold-out, 30 days to respond or buy.</summary>
public sealed record CampaignInput
{
    public const int DefaultHoldOutPercent = 10;
    public const int DefaultConversionDays = 30;

    /// <summary>An SMS longer than two concatenated parts costs more than it returns.</summary>
    public const int SmsMaxLength = 306;

    [Required, MaxLength(200)] public string? Name { get; init; }
    [Required] public CampaignChannel? Channel { get; init; }
    [Range(1, 1000)] public int? Segment { get; init; }
    public ChurnBand? ChurnBand { get; init; }
    [MaxLength(50)] public string? Tag { get; init; }
    [MaxLength(100)] public string? DeviceModel { get; init; }
    [Range(0, 50)] public int? HoldOutPercent { get; init; }
    [Range(1, 365)] public int? ConversionDays { get; init; }
    [Required, MinLength(1), MaxLength(5)] public List<CampaignVariantInput>? Variants { get; init; }

    /// <summary>Field name → messages, the annotations first, then what needs the others' values or the database.</summary>
    public async Task<Dictionary<string, string[]>> CheckAsync(CrmDb db, CancellationToken cancellationToken)
    {
        var errors = RecordApi.Validate(this);
        if (errors.Count > 0) return errors;
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < Variants!.Count; i++)
        {
            if (Variants[i] is not { } variant) { errors[$"variants[{i}]"] = ["A variant needs a name and a message."]; continue; }
            if (!names.Add(variant.Name!.Trim())) errors[$"variants[{i}].name"] = ["Each variant needs a name of its own."];
            if (Channel == CampaignChannel.Sms && variant.Message!.Trim().Length > SmsMaxLength)
                errors[$"variants[{i}].message"] = [$"A text message is at most {SmsMaxLength} characters."];
        }
        if (Segment is { } segment && !await db.Segments.AnyAsync(s => s.Number == segment, cancellationToken))
            errors["segment"] = [$"No segment {segment} in the active segmentation."];
        return errors;
    }

    public void ApplyTo(Campaign campaign)
    {
        campaign.Name = Name!.Trim();
        campaign.Channel = Channel!.Value;
        campaign.Segment = Segment;
        campaign.ChurnBand = ChurnBand;
        campaign.Tag = Normalise.Text(Tag)?.ToLowerInvariant();
        campaign.DeviceModel = Normalise.Text(DeviceModel);
        campaign.HoldOutPercent = HoldOutPercent ?? DefaultHoldOutPercent;
        campaign.ConversionDays = ConversionDays ?? DefaultConversionDays;
        // Variants are replaced as a whole: a draft has no sends that could point at them.
        campaign.Variants.Clear();
        foreach (var v in Variants!) campaign.Variants.Add(new CampaignVariant { Name = v.Name!.Trim(), Message = v.Message!.Trim() });
    }
}
