using System.Globalization;
using Microsoft.Extensions.Localization;
using SmartCrm.Web;

namespace SmartCrm.Insights;

/// <summary>A churn reason in the reader's language: what the customer's value is, in words, and which way it pushes.</summary>
public static class ChurnReasonText
{
    public static string Describe(ChurnReason reason, IStringLocalizer<Strings> l)
    {
        var v = reason.Value;
        var whole = Math.Round(v).ToString("N0", CultureInfo.CurrentCulture);
        var percent = (v >= 0 ? "+" : "") + v.ToString("P0", CultureInfo.CurrentCulture);
        // One of a thing reads in the singular ("1 ticket", not "1 tickets"); Chinese has one form for both.
        var one = Math.Round(v) == 1;
        var text = reason.Feature switch
        {
            "recencyDays" => one ? l["Last order 1 day ago"] : string.Format(l["Last order {0} days ago"], whole),
            "orders365" => one ? l["1 order in the last year"] : string.Format(l["{0} orders in the last year"], whole),
            "spend365" => string.Format(l["Spent {0} in the last year"], v.ToString("N0", CultureInfo.CurrentCulture)),
            "orders90" => one ? l["1 order in the last 90 days"] : string.Format(l["{0} orders in the last 90 days"], whole),
            "returns365" => one ? l["1 returned or cancelled order this year"] : string.Format(l["{0} returned or cancelled orders this year"], whole),
            "tenureDays" => one ? l["Customer for 1 day"] : string.Format(l["Customer for {0} days"], whole),
            "interactions90" => one ? l["1 contact with us in the last 90 days"] : string.Format(l["{0} contacts with us in the last 90 days"], whole),
            "interactionTrend" => string.Format(l["Contacts with us {0} against the 90 days before"], percent),
            "tickets90" => one ? l["1 ticket in the last 90 days"] : string.Format(l["{0} tickets in the last 90 days"], whole),
            "complaints90" => one ? l["1 fault, refund or return reported in 90 days"] : string.Format(l["{0} faults, refunds or returns reported in 90 days"], whole),
            "devices" => one ? l["1 connected device"] : string.Format(l["{0} connected devices"], whole),
            "quietDays" => one ? l["Devices silent for 1 day"] : string.Format(l["Devices silent for {0} days"], whole),
            "usageTrend" => string.Format(l["Device usage {0} over the last 4 weeks"], percent),
            "alarms90" => one ? l["1 device alarm in the last 90 days"] : string.Format(l["{0} device alarms in the last 90 days"], whole),
            _ => reason.Feature + " = " + v.ToString(CultureInfo.CurrentCulture),
        };
        return text;
    }
}
