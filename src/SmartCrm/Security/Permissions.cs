using System.Security.Claims;

namespace SmartCrm.Security;

/// <summary>What a role may do, one name per capability; endpoints ask for a permission, never for a role.</summary>
public static class Permissions
{
    public const string CustomersRead = "customers.read";
    public const string CustomersWrite = "customers.write";
    public const string CatalogWrite = "catalog.write";
    public const string OrdersWrite = "orders.write";
    public const string SalesWrite = "sales.write";
    public const string TicketsWrite = "tickets.write";
    public const string InteractionsWrite = "interactions.write";
    public const string Delete = Records.RecordApi.DeletePermission;
    public const string AuditRead = "audit.read";
    public const string UsersManage = "users.manage";
    public const string DevicesWrite = "devices.write";
    public const string AlarmsWrite = "alarms.write";
    public const string ModelsRead = "models.read";
    public const string ModelsTrain = "models.train";
    public const string KnowledgeWrite = "knowledge.write";
    // Campaigns (issue 13, point 8): creating, changing and launching campaigns messages customers.
    public const string CampaignsWrite = "campaigns.write";
    // The desk's configuration (SLA policies, queues, agents' skills): managers and admins.
    public const string DeskConfigure = "desk.configure";

    public static readonly string[] All =
        [CustomersRead, CustomersWrite, CatalogWrite, OrdersWrite, SalesWrite, TicketsWrite, InteractionsWrite, Delete, AuditRead, UsersManage, DevicesWrite, AlarmsWrite, ModelsRead, ModelsTrain, KnowledgeWrite, CampaignsWrite, DeskConfigure];

    private static readonly Dictionary<Role, HashSet<string>> Grants = new()
    {
        [Role.Admin] = [.. All],
        [Role.Manager] = [CustomersRead, CustomersWrite, CatalogWrite, OrdersWrite, SalesWrite, TicketsWrite, InteractionsWrite, Delete, AuditRead, DevicesWrite, AlarmsWrite, ModelsRead, ModelsTrain, KnowledgeWrite, CampaignsWrite, DeskConfigure],
        [Role.Sales] = [CustomersRead, CustomersWrite, OrdersWrite, SalesWrite, InteractionsWrite, CampaignsWrite],
        [Role.Support] = [CustomersRead, CustomersWrite, TicketsWrite, InteractionsWrite, DevicesWrite, AlarmsWrite, KnowledgeWrite],
        [Role.Analyst] = [CustomersRead, ModelsRead, ModelsTrain],
        [Role.ReadOnly] = [CustomersRead],
    };

    public static bool Allows(Role role, string permission) => Grants[role].Contains(permission);

    public static bool Allows(ClaimsPrincipal user, string permission) =>
        user.Identity?.IsAuthenticated == true
        && Enum.TryParse<Role>(user.FindFirstValue(ClaimTypes.Role), out var role)
        && Allows(role, permission);
}
