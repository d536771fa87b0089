using System.Text.Json;

namespace SmartCrm.Devices;

/// <summary>
/// Tells whoever can reach a device (the MQTT gateway) that its desired state changed. Without a broker nobody listens,
/// and the device reads its shared attributes when it next asks.
/// </summary>
public sealed class SharedAttributesChanged
{
    private Func<long, JsonElement, CancellationToken, Task>? _listeners;

    public void Listen(Func<long, JsonElement, CancellationToken, Task> listener) => _listeners += listener;

    public async Task NotifyAsync(long deviceId, JsonElement patch, CancellationToken cancellationToken)
    {
        if (_listeners is null) return;
        foreach (var listener in _listeners.GetInvocationList().Cast<Func<long, JsonElement, CancellationToken, Task>>())
        {
            await listener(deviceId, patch, cancellationToken);
        }
    }
}
