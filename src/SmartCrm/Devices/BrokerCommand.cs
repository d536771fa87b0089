using System.CommandLine;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using SmartCrm.Mqtt;
using SmartCrm.Mqtt.Broker;

namespace SmartCrm.Devices;

/// <summary><c>smartcrm broker</c>: the MQTT 3.1.1/5.0 broker on its own, for any client, not only devices.</summary>
internal static class BrokerCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "TCP port (0 = any free port)", DefaultValueFactory = _ => 1883 };
        var address = new Option<string>("--address") { Description = "Address to listen on", DefaultValueFactory = _ => "0.0.0.0" };
        var allowAnonymous = new Option<bool>("--allow-anonymous") { Description = "Accept clients that send no user name" };
        var users = new Option<FileInfo?>("--users") { Description = "Password file: name:password lines, plain or hashed by mosquitto_passwd" };
        var tlsPort = new Option<int?>("--tls-port") { Description = "Also listen with TLS on this port (needs --certificate)" };
        var certificate = new Option<FileInfo?>("--certificate") { Description = "Server certificate with its private key (.pfx, or .pem with the key in the same file)" };
        var certificatePassword = new Option<string?>("--certificate-password") { Description = "Password of the .pfx file" };
        var maxPacketSize = new Option<int>("--max-packet-size") { Description = "Largest packet accepted, in bytes", DefaultValueFactory = _ => 1024 * 1024 };
        var maxQueued = new Option<int>("--max-queued") { Description = "Messages kept per session while its client is offline or busy", DefaultValueFactory = _ => 1000 };
        var maxKeepAlive = new Option<int?>("--max-keep-alive") { Description = "Longest keep-alive in seconds a client may ask for: 5.0 clients are told it (Server Keep Alive), 3.1.1 clients asking for more or for none are refused, like mosquitto's max_keepalive" };
        var receiveMaximum = new Option<int>("--receive-maximum") { Description = "QoS 1/2 messages a client may have unacknowledged towards the broker (5.0 Receive Maximum)", DefaultValueFactory = _ => 1024 };
        var topicAliasMaximum = new Option<int>("--topic-alias-maximum") { Description = "Highest topic alias a 5.0 client may use (0: none)", DefaultValueFactory = _ => 64 };
        var forbid = new Option<string[]>("--forbid-subscription") { Description = "A topic filter nobody may subscribe to, nor to any filter reaching its topics (refused in SUBACK); repeat for more", AllowMultipleArgumentsPerToken = false };
        maxKeepAlive.Validators.Add(r => { if (r.GetValueOrDefault<int?>() is < 1 or > 65535) r.AddError("--max-keep-alive: 1 to 65535 seconds"); });
        receiveMaximum.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 1 or > 65535) r.AddError("--receive-maximum: 1 to 65535"); });
        topicAliasMaximum.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 0 or > 65535) r.AddError("--topic-alias-maximum: 0 to 65535"); });
        forbid.Validators.Add(r =>
        {
            foreach (var filter in r.GetValueOrDefault<string[]>() ?? [])
            {
                if (Topics.ValidateFilter(filter) is { } why) r.AddError($"--forbid-subscription: '{filter}' is not a topic filter: {why}");
            }
        });
        var command = new Command("broker", "Run the MQTT 3.1.1 / 5.0 broker on its own")
        {
            port, address, allowAnonymous, users, tlsPort, certificate, certificatePassword, maxPacketSize, maxQueued, maxKeepAlive, receiveMaximum, topicAliasMaximum, forbid,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!IPAddress.TryParse(parse.GetValue(address), out var ip))
            {
                await Console.Error.WriteLineAsync($"--address: '{parse.GetValue(address)}' is not an IP address");
                return 2;
            }
            BrokerUsers? known = null;
            X509Certificate2? serverCertificate = null;
            try
            {
                if (parse.GetValue(users) is { } file) known = BrokerUsers.Load(file.FullName);
                if (parse.GetValue(certificate) is { } certificateFile) serverCertificate = LoadCertificate(certificateFile.FullName, parse.GetValue(certificatePassword));
            }
            catch (Exception e) when (e is ArgumentException or System.Security.Cryptography.CryptographicException or IOException)
            {
                await Console.Error.WriteLineAsync(e.Message);
                return 2;
            }
            if (parse.GetValue(tlsPort) is not null && serverCertificate is null)
            {
                await Console.Error.WriteLineAsync("--tls-port needs --certificate");
                return 2;
            }
            var anonymous = parse.GetValue(allowAnonymous);
            if (!anonymous && known is null) await Console.Error.WriteLineAsync("Warning: neither --allow-anonymous nor --users: every client will be refused.");
            using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
            var options = new MqttBrokerOptions
            {
                Address = ip,
                Port = parse.GetValue(port),
                TlsPort = parse.GetValue(tlsPort),
                Certificate = serverCertificate,
                MaximumPacketSize = parse.GetValue(maxPacketSize),
                MaximumQueuedMessages = parse.GetValue(maxQueued),
                MaximumKeepAlive = (ushort?)parse.GetValue(maxKeepAlive),
                ReceiveMaximum = (ushort)parse.GetValue(receiveMaximum),
                TopicAliasMaximum = (ushort)parse.GetValue(topicAliasMaximum),
                ForbiddenTopicFilters = parse.GetValue(forbid) ?? [],
                // Sessions belong to the user name (the default owner): a user resumes and takes over only its own.
                Authenticate = (request, _) => ValueTask.FromResult(Decide(request, anonymous, known)),
            };
            await using var broker = new MqttBroker(options, loggers.CreateLogger("smartcrm.broker"));
            await broker.StartAsync(cancellationToken);
            Console.WriteLine($"MQTT broker listening on {string.Join(", ", broker.Endpoints)} (3.1.1 and 5.0); Ctrl+C stops it.");
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
            }
            await broker.StopAsync();
            serverCertificate?.Dispose();
            return 0;
        });
        return command;
    }

    private static ConnectionDecision Decide(ConnectionRequest request, bool anonymous, BrokerUsers? known)
    {
        if (request.UserName is null) return anonymous ? ConnectionDecision.Accept() : ConnectionDecision.Refuse(ReasonCode.NotAuthorized);
        if (known is null) return anonymous ? ConnectionDecision.Accept(request.UserName) : ConnectionDecision.Refuse(ReasonCode.BadUserNameOrPassword);
        var password = request.Password ?? ReadOnlyMemory<byte>.Empty;
        return known.Verify(request.UserName, password.Span) ? ConnectionDecision.Accept(request.UserName) : ConnectionDecision.Refuse(ReasonCode.BadUserNameOrPassword);
    }

    /// <summary>A server certificate from a .pfx/.p12 file, or a .pem/.crt file holding the certificate and its key.</summary>
    public static X509Certificate2 LoadCertificate(string path, string? password)
    {
        if (!File.Exists(path)) throw new ArgumentException($"Certificate file not found: {Path.GetFullPath(path)}", nameof(path));
        var extension = Path.GetExtension(path);
        return extension.Equals(".pem", StringComparison.OrdinalIgnoreCase) || extension.Equals(".crt", StringComparison.OrdinalIgnoreCase)
            ? X509Certificate2.CreateFromPemFile(path)
            : X509CertificateLoader.LoadPkcs12FromFile(path, password);
    }
}
