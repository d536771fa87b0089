using System.Security.Claims;
using System.Threading.RateLimiting;
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
        builder.Services.AddMemoryCache();
        builder.Services.AddSingleton<IPasswordHasher<User>, PasswordHasher<User>>();
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
        app.MapPost("/account/login", async ([FromForm] string userName, [FromForm] string password, [FromForm] string? returnUrl,
            HttpContext http, CrmDb db, IPasswordHasher<User> hasher, CancellationToken cancellationToken) =>
        {
            var user = await db.Users.FirstOrDefaultAsync(u => u.UserName == userName && u.Active, cancellationToken);
            var ok = user is not null && hasher.VerifyHashedPassword(user, user.PasswordHash, password) != PasswordVerificationResult.Failed;
            if (!ok) return Results.Redirect("/login?failed=1" + (string.IsNullOrEmpty(returnUrl) ? "" : "&returnUrl=" + Uri.EscapeDataString(returnUrl)));
            var identity = new ClaimsIdentity(
                [new Claim(ClaimTypes.Name, user!.UserName), new Claim(ClaimTypes.Role, user.Role.ToString()), new Claim("display", user.DisplayName ?? user.UserName)],
                CookieAuthenticationDefaults.AuthenticationScheme);
            await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
            return Results.LocalRedirect(LocalPath(returnUrl));
        }).RequireRateLimiting(LoginLimiter).AllowAnonymous();

        app.MapPost("/account/logout", async (HttpContext http) =>
        {
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.Redirect("/login");
        });
        return app;
    }
}
