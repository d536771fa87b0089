namespace SmartCrm.Web;

/// <summary>
/// One page of a console list, read on the server (<see cref="Paging"/>): every list says which rows it shows ("showing 26–50
/// of 1,204") and links to the others, instead of stopping silently at a fixed number of rows.
/// </summary>
public sealed record Paged<T>(IReadOnlyList<T> Items, int Total, int Page, int PageSize)
{
    public int First => Total == 0 ? 0 : (Page - 1) * PageSize + 1;
    public int Last => Math.Min(Total, Page * PageSize);
    public int Pages => Math.Max(1, (Total + PageSize - 1) / PageSize);
}
