using System.Security.Claims;
using SmartCrm.Security;

namespace SmartCrm.Import;

/// <summary>
/// What an import of each kind writes, as permissions: an import needs every one of them, as the record endpoints of those
/// kinds would ask (an import is no back door past `POST /api/v1/products`).
/// </summary>
public static class ImportPermissions
{
    public static IReadOnlyList<string> For(ImportKind kind) => kind switch
    {
        // Customers, their source rows, duplicate candidates and merges.
        ImportKind.Customers => [Permissions.CustomersWrite],
        ImportKind.Contacts => [Permissions.CustomersWrite],
        ImportKind.Products => [Permissions.CatalogWrite],
        // Orders refer to customers and products that exist; they create neither.
        ImportKind.Orders => [Permissions.OrdersWrite],
        ImportKind.Interactions => [Permissions.InteractionsWrite],
        // A rating is what a customer said about a product: customer data, like a note; the catalogue is only read.
        ImportKind.Ratings => [Permissions.CustomersWrite],
        // A basket is an order of the source's walk-in customer (created on first use); items new to the catalogue become products.
        ImportKind.Baskets => [Permissions.OrdersWrite, Permissions.CatalogWrite, Permissions.CustomersWrite],
        _ => [Permissions.UsersManage],
    };

    public static bool Allows(ClaimsPrincipal user, ImportKind kind) => For(kind).All(p => Permissions.Allows(user, p));

    /// <summary>The kinds <paramref name="user"/> may import, for the wizard's list.</summary>
    public static IEnumerable<ImportKind> Allowed(ClaimsPrincipal user) => Enum.GetValues<ImportKind>().Where(k => Allows(user, k));
}
