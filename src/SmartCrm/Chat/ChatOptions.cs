using System.ComponentModel.DataAnnotations;

namespace SmartCrm.Chat;

/// <summary>The live views' limits (`Chat`): how many anonymous event streams may be open, and how often they look anyway.</summary>
public sealed class ChatOptions
{
    public const string Section = "Chat";

    /// <summary>Open streams of one visitor's chat (a few tabs); the next is refused with 429.</summary>
    [Range(1, 100)] public int MaxStreamsPerSession { get; set; } = 3;

    /// <summary>Open anonymous streams on this node; the next is refused with 503 (the page still works by reloading).</summary>
    [Range(1, 100_000)] public int MaxStreams { get; set; } = 500;

    /// <summary>
    /// How often an open stream looks at the database without being told of a change: only for changes another node stored, since
    /// this node's changes arrive by <see cref="Service.TicketFeed"/> at once.
    /// </summary>
    [Range(1, 3600)] public int PollSeconds { get; set; } = 15;
}
