using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Options;
using SmartCrm.Backup;
using SmartCrm.Demo;
using SmartCrm.Devices;
using SmartCrm.Evaluation;
using SmartCrm.Gateway;
using SmartCrm.Import;
using SmartCrm.Security;
using SmartCrm.Storage;

namespace SmartCrm.Hosting;

internal static class Cli
{
    private static readonly Option<string> Urls = new("--urls") { Description = "Where the console and API listen", DefaultValueFactory = _ => "http://127.0.0.1:5080" };
    private static readonly Option<string> Data = new("--data") { Description = "Data folder (SQLite file and local state)", DefaultValueFactory = _ => "smartcrm-data" };
    private static readonly Option<string?> Database = new("--database") { Description = "PostgreSQL connection string (or SMARTCRM_DATABASE); SQLite in --data when absent" };
    private static readonly Option<bool> Demo = new("--demo") { Description = "Fill an empty database with a demo company" };
    private static readonly Option<int?> MqttPort = new("--mqtt-port") { Description = "Port of the embedded MQTT broker for devices (default 1883; 0 turns it off)" };
    private static readonly Option<string?> MqttAddress = new("--mqtt-address") { Description = "Address the MQTT broker listens on (default 127.0.0.1; 0.0.0.0 for devices on the network)" };
    private static readonly Option<int?> MqttTlsPort = new("--mqtt-tls-port") { Description = "Also listen for devices over TLS (MQTTS, usually 8883); needs --mqtt-certificate" };
    private static readonly Option<string?> MqttCertificate = new("--mqtt-certificate") { Description = "Server certificate for --mqtt-tls-port: .pfx/.p12, or .pem with its key (a .pfx password in the environment variable Mqtt__CertificatePassword)" };
    private static readonly Option<string?> MqttUpstream = new("--mqtt-upstream") { Description = "Take device traffic from an external broker (mqtt://host:port) with a shared subscription instead" };
    private static readonly Option<int> DemoScale = new("--demo-scale") { Description = "Size of the demo company (1 = about 2,000 customers)", DefaultValueFactory = _ => 1 };

    public static RootCommand Create()
    {
        // Whatever this process writes (database, keys, uploads, backups, exports) is for the user who runs it alone.
        PrivateDataFolder.RestrictNewFiles();
        var root = new RootCommand("SmartCrm: the CRM for companies whose customers own connected products");
        var serve = new Command("serve", "Run the web console, the REST API and the device broker") { Urls, Data, Database, Demo, DemoScale, MqttPort, MqttAddress, MqttTlsPort, MqttCertificate, MqttUpstream };
        serve.SetAction((parse, cancellationToken) => ServeAsync(parse, [], cancellationToken));
        root.Subcommands.Add(serve);
        root.Subcommands.Add(ApiKeyCommand());
        root.Subcommands.Add(UserCommand());
        root.Subcommands.Add(SimulateCommand.Create(WithDatabaseAsync, [Data, Database]));
        root.Subcommands.Add(EvaluationCommand.Create());
        root.Subcommands.Add(SchemaScriptCommand.Create());
        root.Subcommands.Add(BrokerCommand.Create());
        root.Subcommands.Add(ImportCommand.Create(Data, Database, WithDatabaseAsync));
        foreach (var command in BackupCommand.Create(Data, Database)) root.Subcommands.Add(command);
        foreach (var option in new Option[] { Urls, Data, Database, Demo, DemoScale, MqttPort, MqttAddress, MqttTlsPort, MqttCertificate, MqttUpstream }) root.Options.Add(option);
        // Plain `smartcrm` serves too; unknown --key=value tokens are host settings (this is also how the test host starts the program).
        root.TreatUnmatchedTokensAsErrors = false;
        root.SetAction((parse, cancellationToken) => ServeAsync(parse, [.. parse.UnmatchedTokens], cancellationToken));
        return root;
    }

    private static async Task<int> ServeAsync(ParseResult parse, string[] hostArgs, CancellationToken cancellationToken)
    {
        var app = SmartCrmHost.Build(hostArgs, Settings(parse, withUrls: true));
        await app.RunAsync(cancellationToken);
        return 0;
    }

    /// <summary>
    /// The options the user typed, as configuration. Options left at their defaults add nothing, so configuration from elsewhere
    /// (environment, appsettings, a test host) still applies; the defaults themselves live in the options classes.
    /// </summary>
    private static Dictionary<string, string?> Settings(ParseResult parse, bool withUrls)
    {
        var settings = new Dictionary<string, string?>();
        if (parse.GetResult(Data) is { Implicit: false }) settings[$"{StorageOptions.Section}:DataDirectory"] = parse.GetValue(Data);
        if ((parse.GetValue(Database) ?? Environment.GetEnvironmentVariable("SMARTCRM_DATABASE")) is { Length: > 0 } database)
        {
            settings[$"{StorageOptions.Section}:Database"] = database;
        }
        if (parse.GetValue(Demo))
        {
            settings[$"{DemoOptions.Section}:Enabled"] = "true";
            settings[$"{DemoOptions.Section}:Scale"] = parse.GetValue(DemoScale).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        if (parse.GetValue(MqttPort) is { } mqttPort) settings[$"{MqttOptions.Section}:Port"] = mqttPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (parse.GetValue(MqttAddress) is { } mqttAddress) settings[$"{MqttOptions.Section}:Address"] = mqttAddress;
        if (parse.GetValue(MqttTlsPort) is { } tlsPort) settings[$"{MqttOptions.Section}:TlsPort"] = tlsPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (parse.GetValue(MqttCertificate) is { } certificate) settings[$"{MqttOptions.Section}:Certificate"] = Path.GetFullPath(certificate);
        if (parse.GetValue(MqttUpstream) is { } upstream) settings[$"{MqttOptions.Section}:Upstream"] = upstream;
        // ASPNETCORE_URLS wins over the default, never over an explicit --urls.
        var explicitUrls = parse.GetResult(Urls) is { Implicit: false };
        if (withUrls && (explicitUrls || Environment.GetEnvironmentVariable("ASPNETCORE_URLS") is null)) settings["urls"] = parse.GetValue(Urls);
        return settings;
    }

    /// <summary>Runs <paramref name="work"/> against the same database `serve` would use, after the same first-start step.</summary>
    private static async Task<int> WithDatabaseAsync(ParseResult parse, Func<IServiceProvider, CancellationToken, Task<int>> work, CancellationToken cancellationToken)
    {
        var app = SmartCrmHost.Build([], Settings(parse, withUrls: false));
        // Like a server, a command keeps a restore from swapping the database while it works.
        using var held = DataFolderLock.Shared(app.Services.GetRequiredService<IOptions<StorageOptions>>().Value.DataDirectory);
        await app.Services.GetRequiredService<DatabaseInitializer>().PrepareAsync(cancellationToken);
        using var scope = app.Services.CreateScope();
        scope.ServiceProvider.GetRequiredService<Actor>().Name = "cli:" + Environment.UserName;
        return await work(scope.ServiceProvider, cancellationToken);
    }

    private static Command ApiKeyCommand()
    {
        var name = new Option<string>("--name") { Description = "What the key is for", Required = true };
        var role = new Option<Role>("--role") { Description = "Role the key acts with", DefaultValueFactory = _ => Role.ReadOnly };
        var expires = new Option<int?>("--expires-in-days") { Description = "The key stops working after this many days (default: never)" };
        var create = new Command("create", "Create an API key; the key is printed once, as the last line") { name, role, expires, Data, Database };
        create.SetAction((parse, cancellationToken) => WithDatabaseAsync(parse, async (services, ct) =>
        {
            if (parse.GetValue(expires) is < 1) return Refuse("--expires-in-days: at least 1.");
            var expiresAt = parse.GetValue(expires) is { } days ? services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime.AddDays(days) : (DateTime?)null;
            var (record, key) = await services.GetRequiredService<Accounts>().CreateApiKeyAsync(parse.GetValue(name)!, parse.GetValue(role), ct, expiresAt);
            Console.WriteLine($"API key '{record.Name}' (role {record.Role}) created. Send it as 'Authorization: Bearer <key>'. It is not shown again:");
            Console.WriteLine(key);
            return 0;
        }, cancellationToken));

        var list = new Command("list", "List API keys (never the keys themselves: their first characters)") { Data, Database };
        list.SetAction((parse, cancellationToken) => WithDatabaseAsync(parse, async (services, ct) =>
        {
            Console.WriteLine($"{"id",6}  {"prefix",-12}  {"role",-8}  {"created",-16}  {"last used",-16}  {"state",-22}  name");
            foreach (var key in await services.GetRequiredService<Accounts>().ApiKeysAsync(ct))
            {
                var state = key.RevokedAt is { } revoked ? $"revoked {revoked:yyyy-MM-dd HH:mm}" : key.ExpiresAt is { } expiresAt ? $"expires {expiresAt:yyyy-MM-dd HH:mm}" : "active";
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{key.Id,6}  {key.Prefix,-12}  {key.Role,-8}  {key.CreatedAt,-16:yyyy-MM-dd HH:mm}  {(key.LastUsedAt is { } used ? used.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "never"),-16}  {state,-22}  {key.Name}"));
            }
            return 0;
        }, cancellationToken));

        var id = new Option<long>("--id") { Description = "Id of the key (see `smartcrm apikey list`)", Required = true };
        var revoke = new Command("revoke", "Revoke an API key: a running server refuses it within seconds") { id, Data, Database };
        revoke.SetAction((parse, cancellationToken) => WithDatabaseAsync(parse, async (services, ct) =>
        {
            var which = parse.GetValue(id);
            if (!await services.GetRequiredService<Accounts>().RevokeApiKeyAsync(which, ct)) return Refuse($"No API key with id {which}.");
            Console.WriteLine($"API key {which} revoked.");
            return 0;
        }, cancellationToken));
        return new Command("apikey", "Manage API keys for programs") { create, list, revoke };
    }

    private static Command UserCommand()
    {
        var name = new Option<string>("--name") { Description = "User name", Required = true };
        var role = new Option<Role>("--role") { Description = "Role", DefaultValueFactory = _ => Role.ReadOnly };
        var password = new Option<string?>("--password") { Description = "Password (or SMARTCRM_PASSWORD); generated and printed when absent" };
        var create = new Command("create", "Create a console user") { name, role, password, Data, Database };
        create.SetAction((parse, cancellationToken) => WithDatabaseAsync(parse, async (services, ct) =>
        {
            var given = parse.GetValue(password) ?? Environment.GetEnvironmentVariable("SMARTCRM_PASSWORD");
            var actual = string.IsNullOrEmpty(given) ? Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12)) : given;
            var user = await services.GetRequiredService<Accounts>().CreateUserAsync(parse.GetValue(name)!, actual, parse.GetValue(role), null, ct);
            Console.WriteLine($"User '{user.UserName}' (role {user.Role}) created.");
            if (string.IsNullOrEmpty(given)) Console.WriteLine($"Password: {actual}");
            return 0;
        }, cancellationToken));
        return new Command("user", "Manage console users") { create, SetActive("deactivate", false), SetActive("activate", true) };
    }

    private static Command SetActive(string verb, bool active)
    {
        var name = new Argument<string>("NAME") { Description = "User name" };
        var command = new Command(verb, active
            ? "Let a deactivated user sign in again (their old sessions stay ended)"
            : "Stop a user from signing in and end their sessions: a running server refuses them within seconds") { name, Data, Database };
        command.SetAction((parse, cancellationToken) => WithDatabaseAsync(parse, async (services, ct) =>
        {
            var accounts = services.GetRequiredService<Accounts>();
            var userName = parse.GetValue(name)!;
            if (await accounts.FindUserAsync(userName, ct) is not { } user) return Refuse($"No user named '{userName}'.");
            var (_, refused) = await accounts.ChangeUserAsync(user.Id, new UserChange { Active = active }, actor: null, ct);
            if (refused is not null) return Refuse(refused.Message);
            Console.WriteLine($"User '{userName}' {verb}d.");
            return 0;
        }, cancellationToken));
        return command;
    }

    private static int Refuse(string message)
    {
        Console.Error.WriteLine(message);
        return 1;
    }
}
