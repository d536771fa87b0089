using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.AspNetCore.Localization;

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
        return services;
    }

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
        app.MapGet("/culture", (string name, string? returnUrl, HttpContext http) =>
        {
            if (!Cultures.Contains(name)) return Results.BadRequest();
            http.Response.Cookies.Append(CultureCookie, CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(name)),
                new CookieOptions { MaxAge = TimeSpan.FromDays(365), HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true });
            return Results.LocalRedirect(returnUrl is { Length: > 0 } && returnUrl.StartsWith('/') ? returnUrl : "/");
        }).AllowAnonymous();
        return app;
    }

    public static string Money(decimal amount) => amount.ToString("C0", CultureInfo.GetCultureInfo("en-US"));
}

/// <summary>Marker for the console's string resources (Web/Strings.resx and Strings.zh-Hans.resx).</summary>
public sealed class Strings;
