using System.Globalization;
using Microsoft.Extensions.Localization;
using SmartCrm.Alarms;
using SmartCrm.Insights;
using SmartCrm.Recommendations;
using SmartCrm.Sales;
using SmartCrm.Tickets;
using SmartCrm.Web;

namespace SmartCrm.Overview;

/// <summary>
/// The 360's ranked list of next best actions: open tickets, churn risk, device health and the pipeline weighed on one
/// scale (0–100), each with the reason in the reader's language. Ranking rules, not a model: every weight is written here.
/// </summary>
public static class NextBestActions
{
    public const int Shown = 6;

    public static IReadOnlyList<NextBestAction> Rank(IReadOnlyList<Ticket> openTickets, ChurnInsight? churn, IReadOnlyList<DeviceHealth> devices,
        IReadOnlyList<Opportunity> opportunities, DateTime now, IStringLocalizer<Strings> l, RecommendationView? offer = null)
    {
        var actions = new List<NextBestAction>();
        foreach (var t in openTickets)
        {
            var overdue = t.DueAt is { } due && due < now;
            var weight = t.Priority switch { Priority.Urgent => 95, Priority.High => 80, Priority.Normal => 55, _ => 35 } + (overdue ? 5 : 0);
            var days = Math.Max(0, (int)(now - t.CreatedAt).TotalDays);
            var why = string.Format(l["{0} {1} ticket, open {2} days"], l[t.Priority.ToString()], l[t.Kind.ToString()], days) + (overdue ? " · " + l["past due"] : "");
            actions.Add(new NextBestAction("ticket", Math.Min(100, weight), string.Format(l["Resolve ticket #{0}: {1}"], t.Id, t.Subject), why, $"/tickets/{t.Id}"));
        }
        if (churn is { Score: >= ChurnReader.Medium })
        {
            var top = churn.Reasons.Where(r => r.Raises).Select(r => r.Text).Take(2).ToList();
            var why = string.Format(l["Churn risk {0}"], churn.Score.ToString("P0", CultureInfo.CurrentCulture)) + (top.Count > 0 ? ": " + string.Join("; ", top) : "");
            actions.Add(new NextBestAction("retention", (int)Math.Round(40 + 55 * churn.Score), l["Call to keep this customer"], why, null));
        }
        foreach (var d in devices)
        {
            if (d.OpenAlarms > 0)
            {
                var critical = d.WorstAlarm == AlarmSeverity.Critical;
                actions.Add(new NextBestAction("device", critical ? 90 : 65, string.Format(l["Check device {0}"], d.Name),
                    string.Format(l["{0} open alarms, worst {1}"], d.OpenAlarms, l[d.WorstAlarm!.Value.ToString()]), $"/devices/{d.Id}"));
            }
            else if (d.LastSeenAt is { } seen && (now - seen).TotalDays >= 2)
            {
                actions.Add(new NextBestAction("device", 45, string.Format(l["Help reconnect {0}"], d.Name),
                    string.Format(l["Silent for {0} days"], (int)(now - seen).TotalDays), $"/devices/{d.Id}"));
            }
        }
        foreach (var o in opportunities.Where(o => o.IsOpen))
        {
            var days = (int)Math.Round((o.ExpectedClose - now).TotalDays);
            var weight = 50 + (days <= 14 ? 20 : 0) + (int)Math.Min(15, (double)o.Amount / 2000);
            var when = days < 0 ? string.Format(l["{0} days past the expected close"], -days) : string.Format(l["expected to close in {0} days"], days);
            actions.Add(new NextBestAction("deal", weight, string.Format(l["Follow up deal: {0}"], o.Title),
                $"{l[o.Stage.ToString()]} · {ConsoleSetup.Money(o.Amount)} · {when}", "/pipeline"));
        }
        // The top recommendation: worth a word when nothing pressing is open; an accessory for a device they own weighs more than taste.
        if (offer is not null)
        {
            actions.Add(new NextBestAction("offer", offer.Source == "device" ? 48 : 38, string.Format(l["Offer {0}"], offer.Name), offer.Reason, null));
        }
        return [.. actions.OrderByDescending(a => a.Weight).Take(Shown)];
    }
}
