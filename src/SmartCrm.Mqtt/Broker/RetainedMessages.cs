using System.Collections.Concurrent;

namespace SmartCrm.Mqtt.Broker;

/// <summary>The last retained message of each topic.</summary>
internal sealed class RetainedMessages
{
    private readonly ConcurrentDictionary<string, MqttMessage> _messages = new(StringComparer.Ordinal);

    public int Count => _messages.Count;

    /// <summary>Keeps <paramref name="message"/> for its topic; an empty payload removes the topic's retained message.</summary>
    public void Set(MqttMessage message)
    {
        if (message.Payload.IsEmpty) _messages.TryRemove(message.Topic, out _);
        else _messages[message.Topic] = message;
    }

    /// <summary>Retained messages whose topic matches <paramref name="filter"/> (expired ones are removed on the way).</summary>
    public void Match(string filter, List<MqttMessage> into)
    {
        var now = Environment.TickCount64;
        if (!Topics.HasWildcard(filter))
        {
            if (_messages.TryGetValue(filter, out var one) && !Expired(one, now)) into.Add(one);
            return;
        }
        foreach (var (topic, message) in _messages)
        {
            if (!Topics.Matches(filter, topic)) continue;
            if (Expired(message, now)) _messages.TryRemove(topic, out _);
            else into.Add(message);
        }
    }

    private static bool Expired(MqttMessage message, long now) => message.ExpiresAt != 0 && message.ExpiresAt <= now;
}
