using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;

namespace SmartCrm.Mqtt.Transport;

/// <summary>A socket (optionally under TLS) seen as a pair of pipes.</summary>
internal sealed class StreamTransport : IDuplexPipe, IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly Stream _stream;

    public StreamTransport(Socket socket, Stream stream)
    {
        _socket = socket;
        _stream = stream;
        Input = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 8192, minimumReadSize: 2048, leaveOpen: true));
        Output = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 8192, leaveOpen: true));
    }

    public PipeReader Input { get; }

    public PipeWriter Output { get; }

    public SslStream? Tls => _stream as SslStream;

    public async ValueTask DisposeAsync()
    {
        await Input.CompleteAsync();
        try
        {
            await Output.CompleteAsync();
        }
        catch (IOException)
        {
            // The peer is gone; nothing left to flush to.
        }
        catch (ObjectDisposedException)
        {
        }
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        await _stream.DisposeAsync();
        _socket.Dispose();
    }
}
