namespace SmartCrm.Service;

/// <summary>Sends a reply out through one kind of channel; throws when the channel did not take it (the outbox retries).</summary>
public interface IChannelAdapter
{
    /// <summary>Whether this adapter is configured for <paramref name="channel"/>.</summary>
    bool Serves(string channel);

    Task SendAsync(OutboundMessage message, CancellationToken cancellationToken);
}
