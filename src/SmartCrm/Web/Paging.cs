using Microsoft.EntityFrameworkCore;

namespace SmartCrm.Web;

public static class Paging
{
    public const int PageSize = 25;

    public static Paged<T> Empty<T>(int pageSize = PageSize) => new([], 0, 1, pageSize);

    /// <summary>Counts the query and reads the asked page of it; a page past the end shows the last one.</summary>
    public static async Task<Paged<T>> ReadAsync<T>(IQueryable<T> query, int page, CancellationToken cancellationToken, int pageSize = PageSize)
    {
        var total = await query.CountAsync(cancellationToken);
        page = Math.Clamp(page, 1, Math.Max(1, (total + pageSize - 1) / pageSize));
        var items = await query.Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(cancellationToken);
        return new Paged<T>(items, total, page, pageSize);
    }
}
