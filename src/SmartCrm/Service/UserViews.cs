using Microsoft.EntityFrameworkCore;
using SmartCrm.Records;
using SmartCrm.Storage;

namespace SmartCrm.Service;

/// <summary>
/// Each user's saved views of a list: a name for the filters and sort in effect. Only the list's own parameters are kept (never
/// the page number, never anything else a URL may carry), and every user sees and deletes only their own.
/// </summary>
public sealed class UserViews(CrmDb db, TimeProvider clock)
{
    /// <summary>The lists that have saved views, with the query parameters each one understands.</summary>
    public static readonly Dictionary<string, string[]> Pages = new(StringComparer.Ordinal)
    {
        ["tickets"] = ["status", "kind", "priority", "assignee", "queue", "segment", "sort"],
    };

    public const int MaxPerUser = 50;

    public Task<List<SavedView>> ListAsync(string userName, string page, CancellationToken cancellationToken) =>
        db.SavedViews.Where(v => v.UserName == userName && v.Page == page).OrderBy(v => v.Name).ToListAsync(cancellationToken);

    /// <summary>Saves (or replaces, by name) a view of <paramref name="page"/> from the query string of the list.</summary>
    public async Task<(SavedView? View, SetupProblem? Problem)> SaveAsync(string userName, string? page, string? name, string? query, CancellationToken cancellationToken)
    {
        if (page is null || !Pages.TryGetValue(page, out var keys)) return (null, new("page", $"Views can be saved for: {string.Join(", ", Pages.Keys)}."));
        var clean = Normalise.Text(name);
        if (clean is null) return (null, new("name", "Required."));
        if (clean.Length > 100) return (null, new("name", "At most 100 characters."));
        if (InputText.Problem(clean) is { } problem) return (null, new("name", problem));
        if (query is { Length: > 2000 }) return (null, new("query", "At most 2,000 characters."));
        var kept = Keep(query, keys);
        var view = await db.SavedViews.AsTracking().FirstOrDefaultAsync(v => v.UserName == userName && v.Page == page && v.Name == clean, cancellationToken);
        if (view is null)
        {
            if (await db.SavedViews.CountAsync(v => v.UserName == userName, cancellationToken) >= MaxPerUser) return (null, new("name", $"At most {MaxPerUser} saved views per user."));
            view = new SavedView { UserName = userName, Page = page, Name = clean, Query = kept, CreatedAt = clock.GetUtcNow().UtcDateTime };
            db.SavedViews.Add(view);
        }
        else view.Query = kept;
        await db.SaveChangesAsync(cancellationToken);
        return (view, null);
    }

    public async Task<bool> DeleteAsync(string userName, long id, CancellationToken cancellationToken) =>
        await db.SavedViews.Where(v => v.Id == id && v.UserName == userName).ExecuteDeleteAsync(cancellationToken) > 0;

    /// <summary>The query string with only <paramref name="keys"/>, non-empty, in a fixed order (so equal views read the same).</summary>
    public static string Keep(string? query, string[] keys)
    {
        var parsed = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(query ?? "");
        var parts = keys.Where(k => parsed.TryGetValue(k, out var v) && !string.IsNullOrWhiteSpace(v.ToString()))
            .Select(k => $"{k}={Uri.EscapeDataString(parsed[k].ToString())}");
        return string.Join('&', parts);
    }
}
