using System.Text.Json.Serialization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Routing;
using SmartCrm.Alarms;
using SmartCrm.Backup;
using SmartCrm.Catalog;
using SmartCrm.Chat;
using SmartCrm.Customers;
using SmartCrm.Demo;
using SmartCrm.Devices;
using SmartCrm.Gateway;
using SmartCrm.Import;
using SmartCrm.Insights;
using SmartCrm.Interactions;
using SmartCrm.Baskets;
using SmartCrm.Forecasts;
using SmartCrm.Campaigns;
using SmartCrm.Knowledge;
using SmartCrm.Models;
using SmartCrm.Recommendations;
using SmartCrm.Operations;
using SmartCrm.Orders;
using SmartCrm.Overview;
using SmartCrm.Records;
using SmartCrm.Sales;
using SmartCrm.Security;
using SmartCrm.Service;
using SmartCrm.Storage;
using SmartCrm.Telemetry;
using SmartCrm.Tickets;
using SmartCrm.Triage;
using SmartCrm.Web;

namespace SmartCrm.Hosting;

/// <summary>The web host behind `smartcrm serve`: console, API and the jobs, wired by capability.</summary>
public static class SmartCrmHost
{
    public static WebApplication Build(string[] args, IDictionary<string, string?>? settings = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args });
        if (settings is not null) builder.Configuration.AddInMemoryCollection(settings);
        // The console's CSS comes from the build's static web assets manifest in every environment, not only Development.
        builder.WebHost.UseStaticWebAssets();
        // Quiet defaults (configuration can still raise them): one line per request and per SQL command is too much for a laptop console.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);

        builder.AddStorage();
        // Before the migrations: a server never starts on a data folder that a restore is replacing.
        builder.Services.AddBackup();
        // First of the hosted services (they start in order): the others read tables the migrations create.
        builder.Services.AddSingleton<DatabaseInitializer>();
        builder.Services.AddHostedService(services => services.GetRequiredService<DatabaseInitializer>());
        builder.AddSecurity();
        // Owner-only before anything is written to it: the keys that sign cookies live here, and on SQLite the whole database.
        var data = PrivateDataFolder.Prepare(builder.Configuration[$"{StorageOptions.Section}:DataDirectory"] ?? "smartcrm-data");
        builder.Services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(data, PrivateDataFolder.KeysFolder)));
        builder.Services.AddOptions<DemoOptions>().BindConfiguration(DemoOptions.Section);
        builder.Services.AddModels();
        builder.Services.AddBaskets();
        builder.Services.AddCustomers();
        builder.Services.AddDevices();
        builder.Services.AddTickets();
        builder.Services.AddTelemetry();
        builder.Services.AddGateway();
        builder.Services.AddAlarms();
        builder.Services.AddInsights();
        builder.Services.AddRecommendations();
        builder.Services.AddKnowledge();
        builder.Services.AddTriage();
        builder.Services.AddOverview();
        builder.Services.AddCampaigns();
        builder.Services.AddService();
        builder.Services.AddChat();
        builder.Services.AddForecasts();
        builder.Services.AddImport();
        builder.Services.AddOperations();
        builder.Services.AddConsole();

        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ApiErrors>();
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
            // Bodies are records a few levels deep; the default of 64 levels would let a client make the reader work for nothing.
            o.SerializerOptions.MaxDepth = 32;
        });
        // Forms outside the imports (login, the console's forms) are a few short fields; the import endpoints set their own limits.
        builder.Services.Configure<Microsoft.AspNetCore.Http.Features.FormOptions>(o =>
        {
            o.ValueLengthLimit = 1 << 20;
            o.MultipartBodyLengthLimit = 16 << 20;
        });
        builder.Services.AddOpenApi();

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusPages();
        app.UseRequestLocalization(ConsoleSetup.Localization());
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseAntiforgery();

        var clock = app.Services.GetRequiredService<TimeProvider>();
        // A JSON body is a record, never megabytes; endpoints that take files (imports) set their own limit, which wins over the group's.
        var api = app.MapGroup("/api/v1").CheckInput().WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(4 << 20));
        api.MapModelsApi();
        api.MapBasketsApi();
        api.MapCustomersApi();
        api.MapCatalogApi();
        api.MapOrdersApi(clock);
        api.MapInteractionsApi(clock);
        api.MapSalesApi(clock);
        api.MapTicketsApi(clock);
        api.MapDevicesApi(clock);
        api.MapTelemetryApi(clock);
        api.MapGatewayApi();
        api.MapAlarmsApi();
        api.MapInsightsApi();
        api.MapRecommendationsApi();
        api.MapKnowledgeApi(clock);
        api.MapTriageApi();
        api.MapOverviewApi();
        api.MapCampaignsApi();
        api.MapServiceApi();
        api.MapChatApi();
        api.MapForecastsApi();
        api.MapImportApi();
        api.MapSecurityApi();
        app.MapOpenApi();
        app.MapOperations();
        app.MapAccountEndpoints();
        app.MapChatPages(clock);
        app.MapConsole();
        return app;
    }
}
