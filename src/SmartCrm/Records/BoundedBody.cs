using Microsoft.AspNetCore.Http;

namespace SmartCrm.Records;

/// <summary>Reads a request body that a client may make as long as it likes, no further than a limit.</summary>
public static class BoundedBody
{
    /// <summary>The whole body, or null when it is longer than <paramref name="limit"/> bytes (read no further).</summary>
    public static async Task<ReadOnlyMemory<byte>?> ReadAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        // A declared length is checked first so a large upload is refused before any of it is read.
        if (request.ContentLength > limit) return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }
}
