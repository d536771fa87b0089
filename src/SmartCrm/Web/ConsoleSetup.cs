using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Localization;
using Radzen;

namespace SmartCrm.Web;

/// <summary>The web console: server-rendered Blazor pages, in English and Simplified Chinese.</summary>
public static class ConsoleSetup
{
    public const string CultureCookie = ".SmartCrm.Culture";
    public static readonly string[] Cultures = ["en", "zh-Hans"];

    public static IServiceCollection AddConsole(this IServiceCollection services)
    {
        services.AddLocalization();
        // The default encoder writes every non-Latin character as an entity: Chinese pages would be three times larger.
        services.AddWebEncoders(o => o.TextEncoderSettings = new TextEncoderSettings(UnicodeRanges.All));
        services.AddRazorComponents();
        services.AddCascadingAuthenticationState();
        services.AddScoped<ConsoleTime>();
        services.AddScoped<DashboardFigures>();
        services.AddScoped<DeviceHistory>();
        // The services Radzen's components inject (the chart asks for its tooltip service even when nothing hovers).
        services.AddRadzenComponents();
        return services;
    }

    /// <summary>
    /// Error statuses without a body: a person's page request (GET or HEAD outside /api) gets the console's own page with the same
    /// status (Web/StatusPage.razor), a program gets problem+json as before.
    /// </summary>
    public static WebApplication UseStatusPages(this WebApplication app)
    {
        // The outer one answers problem+json; the inner one, which sees the status first, re-executes page requests to the
        // console's page and stands aside for the rest. (UseWhen cannot hold the re-execution: its branch lacks the global router.)
        app.UseStatusCodePages();
        app.UseStatusCodePagesWithReExecute("/error/{0}", createScopeForStatusCodePages: true);
        app.Use((context, next) =>
        {
            if (!IsPageRequest(context) && context.Features.Get<IStatusCodePagesFeature>() is { } pages) pages.Enabled = false;
            return next(context);
        });
        return app;
    }

    private static bool IsPageRequest(HttpContext context) =>
        (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
        && !context.Request.Path.StartsWithSegments("/api") && !context.Request.Path.StartsWithSegments("/openapi")
        && !context.Request.Path.StartsWithSegments("/healthz");

    /// <summary>
    /// Answers a page whose record does not exist with 404 and <paramref name="message"/>. Blazor leaves a 404's body to the
    /// status page when status pages are on, so the message travels to it (Web/StatusPage.razor) with the request.
    /// </summary>
    public static void NotFound(HttpContext? context, string message)
    {
        if (context is not { Response.HasStarted: false }) return;
        context.Items[NotFoundMessage] = message;
        context.Response.StatusCode = StatusCodes.Status404NotFound;
    }

    public const string NotFoundMessage = "SmartCrm.NotFoundMessage";

    public static RequestLocalizationOptions Localization()
    {
        var options = new RequestLocalizationOptions { ApplyCurrentCultureToResponseHeaders = true }
            .SetDefaultCulture("en")
            .AddSupportedCultures(Cultures)
            .AddSupportedUICultures(Cultures);
        options.FallBackToParentCultures = true;
        options.FallBackToParentUICultures = true;
        // The user's own pick (cookie) first, then the browser's Accept-Language.
        options.RequestCultureProviders =
        [
            new CookieRequestCultureProvider { CookieName = CultureCookie },
            new AcceptLanguageHeaderRequestCultureProvider(),
        ];
        return options;
    }

    public static WebApplication MapConsole(this WebApplication app)
    {
        app.MapStaticAssets();
        app.MapRazorComponents<App>();
        app.MapFigureDownloads();
        app.MapGet("/culture", (string name, string? returnUrl, HttpContext http) =>
        {
            if (!Cultures.Contains(name)) return Results.BadRequest();
            http.Response.Cookies.Append(CultureCookie, CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(name)),
                new CookieOptions { MaxAge = TimeSpan.FromDays(365), HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true });
            return Results.LocalRedirect(SmartCrm.Security.SecuritySetup.LocalPath(returnUrl));
        }).AllowAnonymous();
        return app;
    }

    public static string Money(decimal amount) => amount.ToString("C0", CultureInfo.GetCultureInfo("en-US"));
}

/// <summary>Marker for the console's string resources (Web/Strings.resx and Strings.zh-Hans.resx).</summary>
public sealed class Strings;
