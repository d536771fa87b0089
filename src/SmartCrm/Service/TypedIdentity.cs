namespace SmartCrm.Service;

/// <summary>
/// Whether a ticket's customer is only who a visitor said they were (an address typed into the chat page, not proven). The chat,
/// a layer above the desk, supplies the check (ChatDesk.TypedIdentityAsync); the ticket page asks it without knowing the chat.
/// </summary>
public sealed class TypedIdentity(Func<long, CancellationToken, Task<bool>> check)
{
    public Task<bool> OfAsync(long ticketId, CancellationToken cancellationToken) => check(ticketId, cancellationToken);
}
