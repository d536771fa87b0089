using System.Net;
using System.Net.Sockets;
using System.Text;
using SmartCrm.Devices;
using SmartCrm.Mqtt;
using SmartCrm.Mqtt.Client;

namespace SmartCrm.Tests.Devices;

public sealed class BrokerCommandTests : IDisposable
{
    // alice/s3cret written by `mosquitto_passwd -c -b file alice s3cret` (mosquitto 2.0, PBKDF2-SHA512);
    // carol/pw6 in the older salted SHA-512 form; bob in plain text.
    private const string PasswordFile = """
        # users of the standalone broker
        alice:$7$101$cIfZJRtwu5kfM6v7$BoJAMWJn6oIewfZemEzR4YgprXTeHHoRF57UoKKzblrnZpS662Lbyz3ovVRvu70vby5m9IlnzNOWQn7eQ1jNig==
        carol:$6$V8kTqhye2fMpj2AF$s9O5X9IXygdCok8efA4REq9VoYKCHlREWNjXKSVnS+P6k6AntqvWPImOX4Kfzmly5UFGYzYpY6eWUYOGh2lq8Q==
        bob:plain
        """;

    private readonly string _file = Path.GetTempFileName();

    public BrokerCommandTests() => File.WriteAllText(_file, PasswordFile);

    public void Dispose() => File.Delete(_file);

    [Theory]
    [InlineData("alice", "s3cret", true)]
    [InlineData("alice", "s3cret ", false)]
    [InlineData("carol", "pw6", true)]
    [InlineData("carol", "pw7", false)]
    [InlineData("bob", "plain", true)]
    [InlineData("bob", "Plain", false)]
    [InlineData("mallory", "plain", false)]
    public void Password_file_accepts_mosquitto_passwd_hashes_and_plain_text(string user, string password, bool accepted)
    {
        var users = BrokerUsers.Load(_file);
        users.Count.ShouldBe(3);
        users.Verify(user, Encoding.UTF8.GetBytes(password)).ShouldBe(accepted);
    }

    [Fact]
    public void Malformed_password_file_names_the_line()
    {
        File.WriteAllText(_file, "alice:ok\nno-colon-here\n");
        Should.Throw<ArgumentException>(() => BrokerUsers.Load(_file)).Message.ShouldContain("line 2");
        File.WriteAllText(_file, "alice:$9$unknown\n");
        Should.Throw<ArgumentException>(() => BrokerUsers.Load(_file)).Message.ShouldContain("hash format");
    }

    [Fact]
    public async Task Broker_command_serves_known_users_and_refuses_others()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        using var stop = new CancellationTokenSource();
        var run = BrokerCommand.Create().Parse(["--port", $"{port}", "--address", "127.0.0.1", "--users", _file]).InvokeAsync(null, stop.Token);
        await using (var alice = new MqttClient(new MqttClientOptions { Port = port, UserName = "alice", Password = "s3cret", AutoReconnect = false }))
        {
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    await alice.ConnectAsync();
                    break;
                }
                catch (MqttConnectException) when (attempt < 50 && !run.IsCompleted)
                {
                    await Task.Delay(100);
                }
            }
            (await alice.SubscribeAsync("t", QualityOfService.AtLeastOnce)).ShouldBe(ReasonCode.GrantedQoS1);
        }
        await using (var intruder = new MqttClient(new MqttClientOptions { Port = port, UserName = "alice", Password = "guess", ProtocolVersion = MqttProtocolVersion.V311 }))
        {
            (await Should.ThrowAsync<MqttConnectException>(() => intruder.ConnectAsync())).ReasonCode.ShouldBe(ReasonCode.BadUserNameOrPassword);
        }
        await using (var anonymous = new MqttClient(new MqttClientOptions { Port = port }))
        {
            (await Should.ThrowAsync<MqttConnectException>(() => anonymous.ConnectAsync())).ReasonCode.ShouldBe(ReasonCode.NotAuthorized);
        }
        await stop.CancelAsync();
        (await run.WaitAsync(TimeSpan.FromSeconds(10))).ShouldBe(0);
    }
}
