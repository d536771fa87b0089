namespace SmartCrm.Devices;

/// <summary>
/// Tells whoever holds a device's connections (the MQTT gateway, above this folder) that its access ended: its token was
/// rotated or the device was deleted, so a connection authenticated with the old token must not outlive it.
/// </summary>
public sealed class DeviceAccessEnded
{
    private Action<long>? _listeners;

    public void Listen(Action<long> listener) => _listeners += listener;

    public void Notify(long deviceId) => _listeners?.Invoke(deviceId);
}
