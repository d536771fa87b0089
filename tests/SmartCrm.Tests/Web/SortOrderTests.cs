using SmartCrm.Web;

namespace SmartCrm.Tests.Web;

public sealed class SortOrderTests
{
    private sealed record Item(long Id, string Name, DateTime? Due);

    private static readonly Item[] Items =
    [
        new(1, "b", null), new(2, "a", new DateTime(2025, 1, 2)), new(3, "a", new DateTime(2025, 1, 1)), new(4, "c", null),
    ];

    private static readonly SortOrder<Item> Orders = new SortOrder<Item>("name", q => q.ThenBy(i => i.Id))
        .By("name", i => i.Name)
        .ByNullsLast("due", i => i.Due, descendingFirst: true);

    private static long[] Sorted(string? sort) => [.. Orders.Apply(Items.AsQueryable(), Orders.Parse(sort)).Select(i => i.Id)];

    [Fact]
    public void Ties_are_broken_by_the_lists_own_key_so_pages_never_overlap() => Sorted("name").ShouldBe([2, 3, 1, 4]);

    [Fact]
    public void Empty_values_come_last_in_both_directions()
    {
        Sorted("due").ShouldBe([3, 2, 1, 4]);
        Sorted("-due").ShouldBe([2, 3, 1, 4]);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("-")]
    [InlineData("nonsense")]
    [InlineData("'; DROP TABLE x")]
    public void An_unknown_sort_is_the_default_order_not_an_error(string? sort)
    {
        Orders.Parse(sort).ShouldBe(new SortState("name", false));
        Sorted(sort).ShouldBe([2, 3, 1, 4]);
    }

    [Fact]
    public void A_column_read_newest_first_starts_descending() => Orders.DescendingFirst("due").ShouldBeTrue();
}
