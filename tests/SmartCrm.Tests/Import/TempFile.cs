using System.Text;

namespace SmartCrm.Tests.Import;

/// <summary>A file in the temp folder for one test, removed afterwards.</summary>
public sealed class TempFile : IDisposable
{
    public TempFile(string content, Encoding? encoding = null, string extension = ".csv")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "smartcrm-tests", Guid.NewGuid().ToString("N") + extension);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        File.WriteAllText(Path, content, encoding ?? new UTF8Encoding(false));
    }

    public TempFile(byte[] content, string extension = ".csv")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "smartcrm-tests", Guid.NewGuid().ToString("N") + extension);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        File.WriteAllBytes(Path, content);
    }

    public string Path { get; }

    public void Dispose() => File.Delete(Path);
}
