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

/// <summary>`PATCH /users/{id}`: only the fields sent change.</summary>
public sealed record UserChange
{
    public bool? Active { get; init; }
    public Role? Role { get; init; }
    [MaxLength(200)] public string? DisplayName { get; init; }
    [MinLength(8), MaxLength(200)] public string? Password { get; init; }
}

public sealed record UserView(long Id, string UserName, string? DisplayName, Role Role, bool Active, DateTime CreatedAt)
{
    public static UserView Of(User user) => new(user.Id, user.UserName, user.DisplayName, user.Role, user.Active, user.CreatedAt);
}

public sealed record ApiKeyInput
{
    [Required, MaxLength(100)] public string? Name { get; init; }
    [Required] public Role? Role { get; init; }
    /// <summary>When the key stops working; absent, it works until revoked.</summary>
    public DateTime? ExpiresAt { get; init; }
}

public sealed record ApiKeyCreated(long Id, string Name, Role Role, string Key, DateTime? ExpiresAt);

/// <summary>A key as lists show it: never the key, never its hash.</summary>
public sealed record ApiKeyView(long Id, string Name, Role Role, string Prefix, DateTime CreatedAt, DateTime? LastUsedAt, DateTime? ExpiresAt, DateTime? RevokedAt)
{
    public static ApiKeyView Of(ApiKey key) => new(key.Id, key.Name, key.Role, key.Prefix, key.CreatedAt, key.LastUsedAt, key.ExpiresAt, key.RevokedAt);
}

public static class SecurityApi
{
    public static IEndpointRouteBuilder MapSecurityApi(this IEndpointRouteBuilder api)
    {
        var users = api.MapGroup("/users").WithTags("User").RequireAuthorization(Permissions.UsersManage);
        users.MapGet("/", async (CrmDb db, CancellationToken cancellationToken) =>
            TypedResults.Ok(await db.Users.OrderBy(u => u.UserName).Select(u => new UserView(u.Id, u.UserName, u.DisplayName, u.Role, u.Active, u.CreatedAt)).ToListAsync(cancellationToken)));
        users.MapGet("/{id:long}", async Task<Results<Ok<UserView>, ProblemHttpResult>> (long id, CrmDb db, CancellationToken cancellationToken) =>
            await db.Users.FirstOrDefaultAsync(u => u.Id == id, cancellationToken) is { } user ? TypedResults.Ok(UserView.Of(user)) : Problems.NotFound("User", id));
        users.MapPost("/", async Task<IResult> (UserInput input, CrmDb db, Accounts accounts, CancellationToken cancellationToken) =>
        {
            var errors = RecordApi.Validate(input);
            if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
            if (await db.Users.AnyAsync(u => u.UserName == input.UserName, cancellationToken)) return Problems.Field("userName", "This user name is taken.");
            var user = await accounts.CreateUserAsync(input.UserName!, input.Password!, input.Role!.Value, input.DisplayName, cancellationToken);
            return TypedResults.Created($"/api/v1/users/{user.Id}", UserView.Of(user));
        });
        // Deactivate ({"active": false}), change role, display name or password; each takes effect on the user's next request.
        users.MapPatch("/{id:long}", async Task<IResult> (long id, UserChange change, HttpContext http, Accounts accounts, CancellationToken cancellationToken) =>
        {
            var errors = RecordApi.Validate(change);
            if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
            var (user, refused) = await accounts.ChangeUserAsync(id, change, http.User, cancellationToken);
            if (refused is not null) return Refusal(refused);
            return user is null ? Problems.NotFound("User", id) : TypedResults.Ok(UserView.Of(user));
        });

        var keys = api.MapGroup("/apikeys").WithTags("ApiKey").RequireAuthorization(Permissions.UsersManage);
        keys.MapGet("/", async (Accounts accounts, CancellationToken cancellationToken) =>
            TypedResults.Ok((await accounts.ApiKeysAsync(cancellationToken)).Select(ApiKeyView.Of).ToList()));
        keys.MapPost("/", async Task<IResult> (ApiKeyInput input, Accounts accounts, TimeProvider clock, CancellationToken cancellationToken) =>
        {
            var errors = RecordApi.Validate(input);
            if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
            var expiresAt = input.ExpiresAt?.ToUniversalTime();
            if (expiresAt <= clock.GetUtcNow().UtcDateTime) return Problems.Field("expiresAt", "A key must expire in the future.");
            var (record, key) = await accounts.CreateApiKeyAsync(input.Name!, input.Role!.Value, cancellationToken, expiresAt);
            return TypedResults.Created($"/api/v1/apikeys/{record.Id}", new ApiKeyCreated(record.Id, record.Name, record.Role, key, record.ExpiresAt));
        });
        keys.MapDelete("/{id:long}", async Task<Results<NoContent, ProblemHttpResult>> (long id, Accounts accounts, CancellationToken cancellationToken) =>
            await accounts.RevokeApiKeyAsync(id, cancellationToken) ? TypedResults.NoContent() : Problems.NotFound("API key", id));

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

    private static ProblemHttpResult Refusal(UserChangeRefused refused) => refused.Conflict
        ? TypedResults.Problem(title: "The change conflicts with the current users.", detail: $"{refused.Field}: {refused.Message}", statusCode: StatusCodes.Status409Conflict,
            extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [refused.Field] = [refused.Message] } })
        : Problems.Field(refused.Field, refused.Message);
}
