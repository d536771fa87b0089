using System.Collections.Concurrent;
using System.Net;

namespace SmartCrm.Tests.Service;

/// <summary>A real HTTP listener on loopback standing in for a chat platform: keeps each request and answers the status set.</summary>
public sealed class WebhookSink : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _serving;

    public WebhookSink()
    {
        Port = SmtpSink.FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/replies";

    /// <summary>What the listener answers (a failing platform answers 503).</summary>
    public HttpStatusCode Answer { get; set; } = HttpStatusCode.OK;

    public ConcurrentQueue<(Dictionary<string, string> Headers, byte[] Body)> Received { get; } = new();

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            var headers = context.Request.Headers.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => context.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase);
            if (Answer == HttpStatusCode.OK) Received.Enqueue((headers, body.ToArray()));
            context.Response.StatusCode = (int)Answer;
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _serving.Wait(5000);
    }
}
