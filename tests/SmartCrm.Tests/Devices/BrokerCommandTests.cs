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

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static async Task<MqttClient> ConnectWhenUpAsync(MqttClientOptions options, Task run)
    {
        var client = new MqttClient(options);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await client.ConnectAsync();
                return client;
            }
            catch (MqttConnectException e) when (attempt < 50 && !run.IsCompleted && e.ReasonCode == ReasonCode.UnspecifiedError)
            {
                await Task.Delay(100);
            }
        }
    }

    [Fact]
    public async Task Broker_command_keeps_each_users_sessions_to_that_user_and_applies_the_operators_limits()
    {
        var port = FreePort();
        using var stop = new CancellationTokenSource();
        var run = BrokerCommand.Create().Parse(["--port", $"{port}", "--address", "127.0.0.1", "--users", _file, "--max-keep-alive", "5", "--forbid-subscription", "secret/#", "--forbid-subscription", "$SYS/#"])
            .InvokeAsync(null, stop.Token);
        var lost = new TaskCompletionSource<Exception?>();
        await using var alice = await ConnectWhenUpAsync(new MqttClientOptions { Port = port, ClientId = "meter-1", UserName = "alice", Password = "s3cret", KeepAlive = 60, AutoReconnect = false }, run);
        alice.Disconnected = e => lost.TrySetResult(e);
        (await alice.SubscribeAsync("secret/+", QualityOfService.AtLeastOnce)).ShouldBe(ReasonCode.NotAuthorized);
        (await alice.SubscribeAsync("#", QualityOfService.AtLeastOnce)).ShouldBe(ReasonCode.NotAuthorized);
        (await alice.SubscribeAsync("meters/#", QualityOfService.AtLeastOnce)).ShouldBe(ReasonCode.GrantedQoS1);

        await using (var bob = new MqttClient(new MqttClientOptions { Port = port, ClientId = "meter-1", UserName = "bob", Password = "plain", KeepAlive = 5, AutoReconnect = false }))
        {
            (await bob.ConnectAsync()).Properties!.ServerKeepAlive.ShouldBeNull("within the maximum, bob keeps his keep-alive");
        }
        await Task.Delay(200);
        lost.Task.IsCompleted.ShouldBeFalse("bob's session is bob's: alice stays connected");

        await using var aliceAgain = new MqttClient(new MqttClientOptions { Port = port, ClientId = "meter-1", UserName = "alice", Password = "s3cret", KeepAlive = 60, AutoReconnect = false });
        (await aliceAgain.ConnectAsync()).Properties!.ServerKeepAlive.ShouldBe((ushort)5);
        (await lost.Task.WaitAsync(TimeSpan.FromSeconds(5))).ShouldBeOfType<MqttConnectException>().ReasonCode.ShouldBe(ReasonCode.SessionTakenOver);

        await stop.CancelAsync();
        (await run.WaitAsync(TimeSpan.FromSeconds(10))).ShouldBe(0);
    }

    [Theory]
    [InlineData("--max-keep-alive", "0", "--max-keep-alive: 1 to 65535")]
    [InlineData("--receive-maximum", "0", "--receive-maximum: 1 to 65535")]
    [InlineData("--topic-alias-maximum", "70000", "--topic-alias-maximum: 0 to 65535")]
    [InlineData("--forbid-subscription", "a/#/b", "'a/#/b' is not a topic filter")]
    public void Broker_command_refuses_limits_that_cannot_work_and_names_them(string option, string value, string named)
    {
        var parse = BrokerCommand.Create().Parse(["--port", "0", "--allow-anonymous", option, value]);
        parse.Errors.Select(e => e.Message).ShouldBe([parse.Errors.Single().Message]);
        parse.Errors.Single().Message.ShouldContain(named);
    }
}
