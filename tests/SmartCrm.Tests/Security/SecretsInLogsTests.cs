using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SmartCrm.Devices;
using SmartCrm.Gateway;
using SmartCrm.Mqtt;
using SmartCrm.Mqtt.Client;
using SmartCrm.Mqtt.Tests.Peers;
using SmartCrm.Tests.Infrastructure;

namespace SmartCrm.Tests.Security;

/// <summary>Everything every logger writes, at every level, scopes and structured values included.</summary>
public sealed class CapturedLog : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<string> _lines = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public IReadOnlyCollection<string> Lines => _lines;

    public string Text => string.Join('\n', _lines);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => log._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = new StringBuilder($"{logLevel} {category}: {formatter(state, exception)}");
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                foreach (var (key, value) in values) line.Append(" |").Append(key).Append('=').Append(value);
            }
            log._scopes.ForEachScope((scope, builder) =>
            {
                builder.Append(" => ").Append(scope);
                if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                {
                    foreach (var (key, value) in pairs) builder.Append(" |").Append(key).Append('=').Append(value);
                }
            }, line);
            if (exception is not null) line.Append('\n').Append(exception);
            log._lines.Enqueue(line.ToString());
        }
    }
}

public sealed class SecretsInLogsTests
{
    private sealed class LoggedApp(CapturedLog log) : CrmApp
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            // A rule for this provider alone outranks every category rule: it sees everything, as a verbose operator would.
            builder.ConfigureLogging(logging => logging.AddProvider(log).AddFilter<CapturedLog>(null, LogLevel.Trace));
        }
    }

    [Fact]
    public async Task No_log_line_carries_a_device_token_key_secret_or_password()
    {
        var log = new CapturedLog();
        using var app = new LoggedApp(log);
        app.Settings["Mqtt:Port"] = Peers.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var admin = app.Admin();
        var key = (await admin.CreateAsync("/api/v1/apikeys", new { name = "logged", role = "Admin" })).GetProperty("key").GetString()!;
        var api = app.CreateClient();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var (_, token) = await api.CreateDeviceAsync();
        var profile = await api.CreateAsync("/api/v1/provisioning-profiles", new { name = "Logged line", secret = "provision-secret-42" });
        var provisionKey = profile.GetProperty("key").GetString()!;
        const string wrongMqttToken = "wrong-mqtt-token-0123456789";
        const string wrongHttpToken = "wrong-http-token-9876543210";
        const string wrongSecret = "wrong-provision-secret-77";

        // MQTT: a refused connection, then the device itself.
        var port = app.Services.GetRequiredService<DeviceGateway>().Port!.Value;
        await using (var refused = new MqttClient(new MqttClientOptions { Port = port, UserName = wrongMqttToken, ClientId = "intruder", AutoReconnect = false }))
        {
            await Should.ThrowAsync<MqttConnectException>(() => refused.ConnectAsync());
        }
        await using (var device = new MqttClient(new MqttClientOptions { Port = port, UserName = token, ClientId = "logged-device", AutoReconnect = false }))
        {
            await device.ConnectAsync();
            (await device.PublishAsync("v1/devices/me/telemetry", Encoding.UTF8.GetBytes("{\"t\":1}"), QualityOfService.AtLeastOnce)).ShouldBe(ReasonCode.Success);
            (await device.PublishAsync("v1/devices/me/telemetry", Encoding.UTF8.GetBytes("not json"), QualityOfService.AtLeastOnce)).ShouldBe(ReasonCode.PayloadFormatInvalid);
        }

        // HTTP device API: a bad token, a good one, a bad body, an unknown route under a token.
        var anonymous = app.CreateClient();
        (await anonymous.PostAsync($"/api/v1/{wrongHttpToken}/telemetry", new StringContent("{\"t\":1}"))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await anonymous.PostAsync($"/api/v1/{token}/telemetry", new StringContent("{\"t\":2}"))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await anonymous.PostAsync($"/api/v1/{token}/telemetry", new StringContent("{\"t\":"))).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await anonymous.GetAsync($"/api/v1/{token}/no-such-thing")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        // Provisioning, wrong and right; a wrong password and an unknown key.
        (await anonymous.PostAsJsonAsync("/api/v1/provision", new { provisionDeviceKey = provisionKey, provisionDeviceSecret = wrongSecret })).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var provisioned = await anonymous.PostAsJsonAsync("/api/v1/provision", new { deviceName = "logged-1", provisionDeviceKey = provisionKey, provisionDeviceSecret = "provision-secret-42" });
        var newToken = (await provisioned.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("credentialsValue").GetString()!;
        await ConsoleLogin.SignInAsync(app.CreateClient(), "admin", "not-the-admin-password");
        var stranger = app.CreateClient();
        stranger.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "scrm_unknown-key-abcdefghijklmnop");
        (await stranger.GetAsync("/api/v1/customers")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        // A 500 on a path that carries a token: the table the answer reads has lost a column.
        await app.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("ALTER TABLE devices RENAME COLUMN \"SharedAttributes\" TO \"SharedAttributesGone\""));
        (await anonymous.GetAsync($"/api/v1/{token}/attributes?sharedKeys=mode")).StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        await app.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("ALTER TABLE devices RENAME COLUMN \"SharedAttributesGone\" TO \"SharedAttributes\""));

        var text = log.Text;
        // The scenario was logged (the test would prove nothing if the lines were simply missing) ...
        text.ShouldContain("refused");
        text.ShouldContain("Unhandled error");
        text.ShouldContain("/telemetry");
        text.ShouldContain(token[..4]);
        // ... and no secret is in it.
        foreach (var secret in new[] { token, newToken, wrongMqttToken, wrongHttpToken, key, "scrm_unknown-key-abcdefghijklmnop", "provision-secret-42", wrongSecret, CrmApp.AdminPassword, "not-the-admin-password" })
        {
            var at = text.IndexOf(secret, StringComparison.Ordinal);
            at.ShouldBe(-1, $"'{secret}' is in the log: ...{(at < 0 ? "" : text.Substring(Math.Max(0, at - 300), Math.Min(400, text.Length - Math.Max(0, at - 300))))}...");
        }
    }
}
