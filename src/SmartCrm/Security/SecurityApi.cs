using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Records;
using SmartCrm.Storage;

namespace SmartCrm.Security;

public sealed record UserInput
{
    [Required, MaxLength(100), RegularExpression("^[A-Za-z0-9._@-]+$", ErrorMessage = "Letters, digits and . _ @ - only.")] public string? UserName { get; init; }
    [Required, MinLength(8), MaxLength(200)] public string? Password { get; init; }
    [Required] public Role? Role { get; init; }
    [MaxLength(200)] public string? DisplayName { get; init; }
}

public sealed record UserView(long Id, string UserName, string? DisplayName, Role Role, bool Active, DateTime CreatedAt);

public sealed record ApiKeyInput
{
    [Required, MaxLength(100)] public string? Name { get; init; }
    [Required] public Role? Role { get; init; }
}

public sealed record ApiKeyCreated(long Id, string Name, Role Role, string Key);

public static class SecurityApi
{
    public static IEndpointRouteBuilder MapSecurityApi(this IEndpointRouteBuilder api)
    {
        var users = api.MapGroup("/users").WithTags("User").RequireAuthorization(Permissions.UsersManage);
        users.MapGet("/", async (CrmDb db, CancellationToken cancellationToken) =>
            TypedResults.Ok(await db.Users.OrderBy(u => u.UserName).Select(u => new UserView(u.Id, u.UserName, u.DisplayName, u.Role, u.Active, u.CreatedAt)).ToListAsync(cancellationToken)));
        users.MapPost("/", async Task<IResult> (UserInput input, CrmDb db, Accounts accounts, CancellationToken cancellationToken) =>
        {
            var errors = RecordApi.Validate(input);
            if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
            if (await db.Users.AnyAsync(u => u.UserName == input.UserName, cancellationToken)) return Problems.Field("userName", "This user name is taken.");
            var user = await accounts.CreateUserAsync(input.UserName!, input.Password!, input.Role!.Value, input.DisplayName, cancellationToken);
            return TypedResults.Created($"/api/v1/users/{user.Id}", new UserView(user.Id, user.UserName, user.DisplayName, user.Role, user.Active, user.CreatedAt));
        });

        var keys = api.MapGroup("/apikeys").WithTags("ApiKey").RequireAuthorization(Permissions.UsersManage);
        keys.MapPost("/", async Task<IResult> (ApiKeyInput input, Accounts accounts, CancellationToken cancellationToken) =>
        {
            var errors = RecordApi.Validate(input);
            if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
            var (record, key) = await accounts.CreateApiKeyAsync(input.Name!, input.Role!.Value, cancellationToken);
            return TypedResults.Created($"/api/v1/apikeys/{record.Id}", new ApiKeyCreated(record.Id, record.Name, record.Role, key));
        });

        api.MapGet("/audit", async Task<Results<Ok<ListPage<AuditEntry>>, ProblemHttpResult>> (HttpContext http, CrmDb db, int? page, int? pageSize, string? sort, CancellationToken cancellationToken) =>
        {
            var filtered = QueryOptions.Filter(db.AuditLog.AsQueryable(), http.Request.Query);
            if (filtered.Error is { } error) return error;
            var sorted = QueryOptions.Sort(filtered.Query!, sort ?? "-id");
            if (sorted.Error is { } sortError) return sortError;
            return await QueryOptions.PageAsync(sorted.Query!, page, pageSize, cancellationToken);
        }).RequireAuthorization(Permissions.AuditRead).WithTags("Audit");
        return api;
    }
}
