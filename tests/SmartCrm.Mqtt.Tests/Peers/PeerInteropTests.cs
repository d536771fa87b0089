using System.Collections.Concurrent;
using SmartCrm.Mqtt.Client;
using SmartCrm.Mqtt.Packets;
using SmartCrm.Mqtt.Tests.Support;

namespace SmartCrm.Mqtt.Tests.Peers;

/// <summary>Our broker and client held against mosquitto, its command-line clients and paho-mqtt.</summary>
public sealed class PeerInteropTests
{
    private static string Flag(MqttProtocolVersion version) => version == MqttProtocolVersion.V500 ? "mqttv5" : "mqttv311";

    [PeerTheory("mosquitto_pub", "mosquitto_sub")]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Mosquitto_clients_publish_into_and_receive_from_our_broker(MqttProtocolVersion version)
    {
        await using var broker = await TestBroker.StartAsync();
        var port = broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var (ours, inbox) = await broker.ConnectAsync("ours", version);
        await ours.SubscribeAsync("peer/#", QualityOfService.ExactlyOnce);
        await ours.PublishAsync("peer/retained", Text.Bytes("kept"), QualityOfService.AtLeastOnce, retain: true);
        await inbox.NextAsync();

        using var sub = Peers.Start(Peers.Require("mosquitto_sub"), ["-h", "127.0.0.1", "-p", port, "-V", Flag(version), "-i", "msub", "-t", "peer/#", "-q", "2", "-C", "4", "-v"]);
        await Eventually.TrueAsync(() => broker.Broker.SubscriptionCount("msub") == 1, "mosquitto_sub subscribed", 10_000);
        foreach (var (qos, text) in new[] { ("0", "zero"), ("1", "one"), ("2", "two") })
        {
            var pub = Peers.Run(Peers.Require("mosquitto_pub"), ["-h", "127.0.0.1", "-p", port, "-V", Flag(version), "-t", "peer/" + text, "-q", qos, "-m", text], TimeSpan.FromSeconds(20));
            pub.ExitCode.ShouldBe(0, pub.Error);
        }
        var result = await Peers.WaitAsync(sub, TimeSpan.FromSeconds(20));
        result.ExitCode.ShouldBe(0, result.Error);
        result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).ShouldBe(["peer/retained kept", "peer/zero zero", "peer/one one", "peer/two two"]);

        var fromMosquitto = await inbox.TakeAsync(3);
        fromMosquitto.Select(m => (m.Message.Topic, Text.Of(m), m.Message.QualityOfService)).ShouldBe(
            [("peer/zero", "zero", QualityOfService.AtMostOnce), ("peer/one", "one", QualityOfService.AtLeastOnce), ("peer/two", "two", QualityOfService.ExactlyOnce)]);
        broker.Log.Errors.ShouldBeEmpty();
    }

    private const string PahoScript = """
        import os, sys, threading
        import paho.mqtt.client as mqtt

        port, version, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
        threading.Timer(30, lambda: os._exit(3)).start()
        client = mqtt.Client(client_id="paho-peer", protocol=mqtt.MQTTv5 if version == "5" else mqtt.MQTTv311)
        state = {"echoed": 0, "acked": 0}

        def on_connect(c, userdata, flags, rc, *rest):
            if rc != 0:
                os._exit(4)
            c.subscribe("paho/in", qos=2)

        def on_subscribe(c, userdata, mid, *rest):
            c.publish("paho/status", "ready", qos=1)

        def on_message(c, userdata, msg):
            c.publish("paho/out", msg.payload, qos=msg.qos)
            state["echoed"] += 1

        def on_publish(c, userdata, mid):
            state["acked"] += 1
            if state["acked"] > count:
                c.disconnect()

        client.on_connect, client.on_subscribe, client.on_message, client.on_publish = on_connect, on_subscribe, on_message, on_publish
        client.connect("127.0.0.1", port, 30)
        client.loop_forever()
        print("echoed", state["echoed"])
        os._exit(0)
        """;

    [PeerTheory("paho")]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Paho_publishes_into_and_receives_from_our_broker(MqttProtocolVersion version)
    {
        await using var broker = await TestBroker.StartAsync();
        var (ours, inbox) = await broker.ConnectAsync("ours", version);
        await ours.SubscribeAsync("paho/status", QualityOfService.AtLeastOnce);
        await ours.SubscribeAsync("paho/out", QualityOfService.ExactlyOnce);
        var script = Path.Combine(Path.GetTempPath(), $"paho-peer-{Guid.NewGuid():N}.py");
        await File.WriteAllTextAsync(script, PahoScript);
        try
        {
            using var paho = Peers.Start(Peers.Python, [script, broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), version == MqttProtocolVersion.V500 ? "5" : "4", "6"]);
            var ready = await inbox.NextAsync(20_000);
            Text.Of(ready).ShouldBe("ready");
            for (var i = 0; i < 6; i++) await ours.PublishAsync("paho/in", Text.Bytes($"p{i}"), (QualityOfService)(i % 3));
            var echoes = await inbox.TakeAsync(6, 20_000);
            var result = await Peers.WaitAsync(paho, TimeSpan.FromSeconds(30));
            result.ExitCode.ShouldBe(0, result.Error);
            result.Output.ShouldContain("echoed 6");
            // paho hands a QoS 2 message over at PUBREL, so order holds within a QoS level only (as the specification promises).
            var byText = echoes.OrderBy(Text.Of, StringComparer.Ordinal).ToList();
            byText.Select(Text.Of).ShouldBe(["p0", "p1", "p2", "p3", "p4", "p5"]);
            byText.Select(e => e.Message.QualityOfService).ShouldBe([QualityOfService.AtMostOnce, QualityOfService.AtLeastOnce, QualityOfService.ExactlyOnce, QualityOfService.AtMostOnce, QualityOfService.AtLeastOnce, QualityOfService.ExactlyOnce]);
            foreach (var level in echoes.GroupBy(e => e.Message.QualityOfService)) level.Select(Text.Of).ShouldBeInOrder();
        }
        finally
        {
            File.Delete(script);
        }
        broker.Log.Errors.ShouldBeEmpty();
    }

    private static async Task<(MqttClient Client, Inbox Inbox)> OnMosquittoAsync(Mosquitto mosquitto, string clientId, MqttProtocolVersion version, Action<MqttClientOptions>? configure = null)
    {
        var options = new MqttClientOptions { Port = mosquitto.Port, ClientId = clientId, ProtocolVersion = version, KeepAlive = 30 };
        configure?.Invoke(options);
        var client = new MqttClient(options);
        var inbox = new Inbox(client);
        await client.ConnectAsync();
        return (client, inbox);
    }

    [PeerTheory("mosquitto")]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Our_client_works_against_a_real_mosquitto(MqttProtocolVersion version)
    {
        await using var mosquitto = await Mosquitto.StartAsync();
        var (sub, inbox) = await OnMosquittoAsync(mosquitto, "our-sub", version);
        await using var subscriber = sub;
        (await sub.SubscribeAsync("plant/+/temp", QualityOfService.ExactlyOnce)).ShouldBe(ReasonCode.GrantedQoS2);
        var (pub, _) = await OnMosquittoAsync(mosquitto, "our-pub", version);
        await using var publisher = pub;
        await pub.PublishAsync("plant/a/temp", Text.Bytes("q0"));
        (await pub.PublishAsync("plant/b/temp", Text.Bytes("q1"), QualityOfService.AtLeastOnce)).ShouldBe(ReasonCode.Success);
        (await pub.PublishAsync("plant/c/temp", Text.Bytes("q2"), QualityOfService.ExactlyOnce)).ShouldBe(ReasonCode.Success);
        await pub.PublishAsync("plant/c/pressure", Text.Bytes("not matched"), QualityOfService.AtLeastOnce);
        await pub.PublishAsync("plant/d/temp", Text.Bytes("retained"), QualityOfService.AtLeastOnce, retain: true);
        var got = await inbox.TakeAsync(4);
        got.Select(m => (m.Message.Topic, Text.Of(m), m.Message.QualityOfService)).ShouldBe(
            [("plant/a/temp", "q0", QualityOfService.AtMostOnce), ("plant/b/temp", "q1", QualityOfService.AtLeastOnce), ("plant/c/temp", "q2", QualityOfService.ExactlyOnce), ("plant/d/temp", "retained", QualityOfService.AtLeastOnce)]);

        // Retained message for a late subscriber, and a persistent session that collects while offline.
        var (late, lateInbox) = await OnMosquittoAsync(mosquitto, "our-late", version, o =>
        {
            o.CleanStart = false;
            o.SessionExpiryInterval = 300;
        });
        await late.SubscribeAsync("plant/#", QualityOfService.AtLeastOnce);
        var retained = await lateInbox.NextAsync();
        retained.Message.Retain.ShouldBeTrue();
        Text.Of(retained).ShouldBe("retained");
        await late.DisconnectAsync();
        await late.DisposeAsync();
        await pub.PublishAsync("plant/e/temp", Text.Bytes("while away"), QualityOfService.AtLeastOnce);
        var (back, backInbox) = await OnMosquittoAsync(mosquitto, "our-late", version, o =>
        {
            o.CleanStart = false;
            o.SessionExpiryInterval = 300;
        });
        await using var returning = back;
        Text.Of(await backInbox.NextAsync()).ShouldBe("while away");

        // A will when the connection drops.
        var (watcher, willInbox) = await OnMosquittoAsync(mosquitto, "our-watcher", version);
        await using var watching = watcher;
        await watcher.SubscribeAsync("wills/#", QualityOfService.AtLeastOnce);
        var (doomed, _) = await OnMosquittoAsync(mosquitto, "our-doomed", version, o =>
        {
            o.Will = new MqttMessage("wills/doomed", Text.Bytes("lost"), QualityOfService.AtLeastOnce);
            o.AutoReconnect = false;
        });
        doomed.DropConnection();
        Text.Of(await willInbox.NextAsync()).ShouldBe("lost");
        await doomed.DisposeAsync();
    }

    [PeerTheory("mosquitto")]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Several_of_our_clients_share_one_subscription_on_mosquitto_and_handle_each_message_once(MqttProtocolVersion version)
    {
        await using var mosquitto = await Mosquitto.StartAsync();
        var seen = new ConcurrentDictionary<string, int>();
        var perNode = new int[3];
        var nodes = new List<MqttClient>();
        for (var i = 0; i < 3; i++)
        {
            var index = i;
            var (node, _) = await OnMosquittoAsync(mosquitto, $"node{i}", version);
            node.MessageReceived = (m, _) =>
            {
                seen.AddOrUpdate(Text.Of(m), 1, (_, n) => n + 1);
                Interlocked.Increment(ref perNode[index]);
                return ValueTask.CompletedTask;
            };
            (await node.SubscribeAsync("$share/smartcrm/v1/devices/+/telemetry", QualityOfService.AtLeastOnce)).ShouldBe(ReasonCode.GrantedQoS1);
            nodes.Add(node);
        }
        var (pub, _) = await OnMosquittoAsync(mosquitto, "devices", version);
        const int total = 300;
        for (var i = 0; i < total; i++) await pub.PublishAsync($"v1/devices/d{i % 10}/telemetry", Text.Bytes($"m{i}"), QualityOfService.AtLeastOnce);
        await Eventually.TrueAsync(() => perNode.Sum() >= total, "every message handled", 20_000);
        await Task.Delay(200);
        perNode.Sum().ShouldBe(total);
        seen.Count.ShouldBe(total);
        seen.Values.ShouldAllBe(n => n == 1);
        perNode.ShouldAllBe(n => n > 0);
        await pub.DisposeAsync();
        foreach (var n in nodes) await n.DisposeAsync();
    }
}
