using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;

namespace SmartCrm.Mqtt.Broker;

/// <summary>
/// Lets Kestrel carry MQTT: <c>listen.UseConnectionHandler&lt;MqttConnectionHandler&gt;()</c> on an endpoint (with
/// <c>UseHttps</c> for TLS) hands each connection to the broker registered in the container.
/// </summary>
public sealed class MqttConnectionHandler(MqttBroker broker) : ConnectionHandler
{
    /// <inheritdoc />
    public override Task OnConnectedAsync(ConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var certificate = connection.Features.Get<ITlsConnectionFeature>()?.ClientCertificate;
        return broker.HandleConnectionAsync(connection.Transport, connection.RemoteEndPoint, certificate);
    }
}
