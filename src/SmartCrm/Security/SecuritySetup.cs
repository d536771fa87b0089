using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Storage;

namespace SmartCrm.Security;

public static class SecuritySetup
{
    public const string LoginLimiter = "login";
    private const string Smart = "smart";

    public static IHostApplicationBuilder AddSecurity(this IHostApplicationBuilder builder)
    {
        // Before anything logs: no log line may carry a device token, key or password, whoever writes it.
        RedactingLoggerFactory.Install(builder.Services);
        builder.Services.AddMemoryCache();
        builder.Services.AddSingleton<IPasswordHasher<User>, PasswordHasher<User>>();
        builder.Services.AddSingleton<AccessCache>();
        builder.Services.AddScoped<Accounts>();
        builder.Services.AddAuthentication(Smart)
            .AddPolicyScheme(Smart, "Cookie or API key", o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.Count > 0 ? ApiKeyAuthentication.SchemeName : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null)
            .AddCookie(o =>
            {
                o.LoginPath = "/login";
                o.LogoutPath = "/logout";
                o.AccessDeniedPath = "/denied";
                o.Cookie.Name = "smartcrm";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.SlidingExpiration = true;
                o.ExpireTimeSpan = TimeSpan.FromHours(12);
                // Programs get status codes, people get the login page.
                o.Events.OnRedirectToLogin = context => Challenge(context, StatusCodes.Status401Unauthorized);
                o.Events.OnRedirectToAccessDenied = context => Challenge(context, StatusCodes.Status403Forbidden);
                // The cookie is only a pointer to a session on the server, checked on every request.
                o.Events.OnValidatePrincipal = ConsoleSessions.ValidateAsync;
            });
        builder.Services.AddAuthorization(o =>
        {
            foreach (var permission in Permissions.All)
            {
                o.AddPolicy(permission, p => p.RequireAuthenticatedUser().RequireAssertion(c => Permissions.Allows(c.User, permission)));
            }
            o.FallbackPolicy = null;
        });
        builder.Services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            // Ten tries a minute per address: enough for a person who mistypes, too few to guess passwords.
            o.AddPolicy(LoginLimiter, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = 10, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
        });
        return builder;
    }

    private static Task Challenge(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            context.Response.StatusCode = status;
            return context.Response.WriteAsJsonAsync(
                new ProblemDetails { Status = status, Title = status == 401 ? "Authentication required" : "Permission denied" },
                options: null, contentType: "application/problem+json");
        }
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    /// <summary>A return address from a link or form, if it is a path on this site ("/customers"); otherwise the dashboard.</summary>
    public static string LocalPath(string? returnUrl) =>
        returnUrl is { Length: > 0 } && returnUrl[0] == '/' && (returnUrl.Length == 1 || returnUrl[1] is not ('/' or '\\')) && !returnUrl.Any(char.IsControl)
            ? returnUrl
            : "/";

    public static WebApplication MapAccountEndpoints(this WebApplication app)
    {
        app.Services.GetRequiredService<LogRedaction>().LearnRoutesFrom(() => ((IEndpointRouteBuilder)app).DataSources);
        app.MapPost("/account/login", async ([FromForm] string userName, [FromForm] string password, [FromForm] string? returnUrl,
            HttpContext http, CrmDb db, Accounts accounts, IPasswordHasher<User> hasher, CancellationToken cancellationToken) =>
        {
            var user = await db.Users.FirstOrDefaultAsync(u => u.UserName == userName && u.Active, cancellationToken);
            var ok = user is not null && hasher.VerifyHashedPassword(user, user.PasswordHash, password) != PasswordVerificationResult.Failed;
            if (!ok) return Results.Redirect("/login?failed=1" + (string.IsNullOrEmpty(returnUrl) ? "" : "&returnUrl=" + Uri.EscapeDataString(returnUrl)));
            await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, await accounts.StartSessionAsync(user!, cancellationToken));
            return Results.LocalRedirect(LocalPath(returnUrl));
        }).RequireRateLimiting(LoginLimiter).AllowAnonymous();

        // Ends the session on the server, so a copy of the cookie dies with it. The form's antiforgery token is checked here
        // (the endpoint binds no form field, so the framework would not): another site must not sign people out.
        app.MapPost("/account/logout", async Task<IResult> (HttpContext http, IAntiforgery antiforgery, Accounts accounts, CancellationToken cancellationToken) =>
        {
            if (http.User.Identity?.IsAuthenticated != true) return Results.Redirect("/login");
            if (!await antiforgery.IsRequestValidAsync(http))
            {
                return TypedResults.Problem(title: "Sign-out needs the form's antiforgery token.", statusCode: StatusCodes.Status400BadRequest);
            }
            if (http.User.FindFirstValue(ConsoleSessions.KeyClaim) is { } key) await accounts.EndSessionAsync(key, cancellationToken);
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.Redirect("/login");
        });
        return app;
    }
}
