using System.Globalization;
using System.Text.Json;
using Xunit.Abstractions;
using SmartCrm.Mqtt.Tests.Support;

namespace SmartCrm.Mqtt.Tests.Peers;

/// <summary>The same 5.0 will scenario, driven by paho, against mosquitto and against our broker: both must deliver it alike.</summary>
public sealed class WillPeerTests(ITestOutputHelper output)
{
    // A paho 5.0 client connects with keep-alive 2 s and a will (delay 0, two user properties and the other will
    // properties), then goes silent with its socket open; a paho subscriber reports what reached it and when.
    private const string Script = """
        import json, os, sys, threading, time
        import paho.mqtt.client as mqtt
        from paho.mqtt.properties import Properties
        from paho.mqtt.packettypes import PacketTypes

        port, topic = int(sys.argv[1]), sys.argv[2]
        threading.Timer(40, lambda: os._exit(3)).start()
        got, subscribed, connected = threading.Event(), threading.Event(), threading.Event()
        silent_since = [None]
        result = {}

        def on_message(c, userdata, msg):
            p = msg.properties
            result.update(topic=msg.topic, payload=msg.payload.decode(), qos=msg.qos,
                user=[list(u) for u in getattr(p, "UserProperty", [])],
                contentType=getattr(p, "ContentType", None), responseTopic=getattr(p, "ResponseTopic", None),
                correlation=getattr(p, "CorrelationData", b"").hex(), format=getattr(p, "PayloadFormatIndicator", None),
                expiry=getattr(p, "MessageExpiryInterval", None), elapsed=time.monotonic() - silent_since[0])
            got.set()

        watcher = mqtt.Client(client_id="will-watcher", protocol=mqtt.MQTTv5)
        watcher.on_message = on_message
        watcher.on_subscribe = lambda *a: subscribed.set()
        watcher.connect("127.0.0.1", port, 30)
        watcher.loop_start()
        watcher.subscribe(topic, qos=1)
        if not subscribed.wait(10): os._exit(4)

        will = Properties(PacketTypes.WILLMESSAGE)
        will.WillDelayInterval = 0
        will.UserProperty = [("site", "north"), ("reason", "power")]
        will.ContentType = "text/plain"
        will.ResponseTopic = "replies/silent"
        will.CorrelationData = b"\x01\x02\x03"
        will.PayloadFormatIndicator = 1
        will.MessageExpiryInterval = 600
        silent = mqtt.Client(client_id="will-silent", protocol=mqtt.MQTTv5)
        silent.will_set(topic, "gone", qos=1, properties=will)
        def on_connect(*a):
            silent_since[0] = time.monotonic()  # CONNECT was the last packet the broker had from it
            connected.set()
        silent.on_connect = on_connect
        silent.connect("127.0.0.1", port, keepalive=2)
        silent.loop_start()
        if not connected.wait(10): os._exit(5)
        silent.loop_stop()  # the socket stays open, but no PINGREQ goes out any more
        delivered = got.wait(10)
        print(json.dumps(result))
        sys.stdout.flush()
        os._exit(0 if delivered else 6)
        """;

    private static async Task<JsonElement> RunAsync(int port)
    {
        var script = Path.Combine(Path.GetTempPath(), $"paho-will-{Guid.NewGuid():N}.py");
        await File.WriteAllTextAsync(script, Script);
        try
        {
            using var paho = Peers.Start(Peers.Python, [script, port.ToString(CultureInfo.InvariantCulture), "wills/silent"]);
            var result = await Peers.WaitAsync(paho, TimeSpan.FromSeconds(45));
            result.ExitCode.ShouldBe(0, $"exit {result.ExitCode} (6: no will within 10 s): {result.Output} {result.Error}");
            return JsonDocument.Parse(result.Output).RootElement.Clone();
        }
        finally
        {
            File.Delete(script);
        }
    }

    private static void ShouldBeTheWill(JsonElement will, string broker)
    {
        will.GetProperty("topic").GetString().ShouldBe("wills/silent", broker);
        will.GetProperty("payload").GetString().ShouldBe("gone", broker);
        will.GetProperty("qos").GetInt32().ShouldBe(1, broker);
        will.GetProperty("user").EnumerateArray().Select(u => $"{u[0].GetString()}={u[1].GetString()}").ShouldBe(["site=north", "reason=power"], broker);
        will.GetProperty("contentType").GetString().ShouldBe("text/plain", broker);
        will.GetProperty("responseTopic").GetString().ShouldBe("replies/silent", broker);
        will.GetProperty("correlation").GetString().ShouldBe("010203", broker);
        will.GetProperty("format").GetInt32().ShouldBe(1, broker);
        will.GetProperty("expiry").GetInt32().ShouldBeInRange(590, 600, broker);
        // 1.5 x the keep-alive of 2 s after CONNECT, give or take the brokers' timer granularity.
        will.GetProperty("elapsed").GetDouble().ShouldBeInRange(2.7, 10, broker);
    }

    [PeerFact("mosquitto", "paho")]
    public async Task A_silent_5_0_clients_will_reaches_a_subscriber_with_its_properties_on_mosquitto_and_on_ours()
    {
        JsonElement fromMosquitto;
        await using (var mosquitto = await Mosquitto.StartAsync())
        {
            fromMosquitto = await RunAsync(mosquitto.Port);
        }
        await using var broker = await TestBroker.StartAsync();
        var fromOurs = await RunAsync(broker.Port);

        output.WriteLine($"mosquitto: {fromMosquitto}");
        output.WriteLine($"smartcrm:  {fromOurs}");
        ShouldBeTheWill(fromMosquitto, "mosquitto");
        ShouldBeTheWill(fromOurs, "smartcrm");
        broker.Log.Errors.ShouldBeEmpty();
    }
}
