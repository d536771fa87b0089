using System.Reflection;
using System.Runtime.Loader;

namespace SmartCrm.Knowledge;

/// <summary>
/// A sentence-embedding model: text in, unit-length vectors out. The model lives in its own assembly (src/SmartCrm.Embeddings,
/// MiniLM with ONNX Runtime, about 450 MB with its native libraries), loaded from a path only when configured, so a small install
/// carries none of it. Texts are encoded in batches: one model run for many texts costs far less than one each.
/// </summary>
public sealed class SentenceEmbeddings(Func<string[], CancellationToken, float[][]> encode, string name)
{
    private const int Batch = 64;

    /// <summary>Which model (shown in figures and logs).</summary>
    public string Name { get; } = name;

    /// <summary>
    /// Loads the model assembly at <paramref name="assemblyPath"/> (SmartCrm.Embeddings.dll with its .deps.json beside it) in a
    /// context of its own, so its dependencies are resolved from its folder and never clash with the program's.
    /// </summary>
    public static SentenceEmbeddings Load(string assemblyPath)
    {
        var path = Path.GetFullPath(assemblyPath);
        if (!File.Exists(path)) throw new FileNotFoundException($"Sentence-embedding assembly not found: {path} (build src/SmartCrm.Embeddings).", path);
        var context = new ModelLoadContext(path);
        var assembly = context.LoadFromAssemblyPath(path);
        var method = assembly.GetType("SmartCrm.Embeddings.MiniLmEncoder")?.GetMethod("Encode", BindingFlags.Public | BindingFlags.Static, [typeof(string[]), typeof(CancellationToken)])
            ?? throw new InvalidOperationException($"{path} has no SmartCrm.Embeddings.MiniLmEncoder.Encode(string[], CancellationToken).");
        var encode = method.CreateDelegate<Func<string[], CancellationToken, float[][]>>();
        return new SentenceEmbeddings(encode, "all-MiniLM-L6-v2");
    }

    /// <summary>One unit-length vector per text, in order (a text the model maps to zeros stays zeros).</summary>
    public float[][] Encode(IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        var result = new float[texts.Count][];
        for (var start = 0; start < texts.Count; start += Batch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = new string[Math.Min(Batch, texts.Count - start)];
            for (var i = 0; i < batch.Length; i++) batch[i] = texts[start + i];
            var vectors = encode(batch, cancellationToken);
            if (vectors.Length != batch.Length) throw new InvalidOperationException($"{Name}: {vectors.Length} vectors for {batch.Length} texts.");
            for (var i = 0; i < batch.Length; i++) result[start + i] = Unit(vectors[i]);
        }
        return result;
    }

    /// <summary>The vector of one text.</summary>
    public float[] Encode(string text, CancellationToken cancellationToken = default) => Encode([text], cancellationToken)[0];

    private static float[] Unit(float[] vector)
    {
        var copy = (float[])vector.Clone();
        var norm = MathF.Sqrt(System.Numerics.Tensors.TensorPrimitives.Dot(copy, copy));
        if (norm > 0) System.Numerics.Tensors.TensorPrimitives.Divide(copy, norm, copy);
        return copy;
    }

    private sealed class ModelLoadContext(string path) : AssemblyLoadContext("sentence-embeddings", isCollectible: false)
    {
        private readonly AssemblyDependencyResolver _resolver = new(path);

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            // The program's own assemblies (the runtime, shared abstractions) are taken from the default context.
            var found = _resolver.ResolveAssemblyToPath(assemblyName);
            return found is null ? null : LoadFromAssemblyPath(found);
        }

        protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
        {
            var found = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
            return found is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(found);
        }
    }
}
