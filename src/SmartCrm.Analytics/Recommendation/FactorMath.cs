using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SmartCrm.Analytics.Recommendation;

/// <summary>Vectorised kernels on factor rows (float, any length).</summary>
internal static class FactorMath
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        ref var pa = ref MemoryMarshal.GetReference(a);
        ref var pb = ref MemoryMarshal.GetReference(b);
        var width = Vector<float>.Count;
        var sum = Vector<float>.Zero;
        var j = 0;
        for (; j + width <= a.Length; j += width) sum = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref pa, (nuint)j), Vector.LoadUnsafe(ref pb, (nuint)j), sum);
        var total = Vector.Sum(sum);
        for (; j < a.Length; j++) total += a[j] * b[j];
        return total;
    }

    /// <summary>One SGD step on a user row p and an item row q: p += lr(e·q − λp), q += lr(e·p − λq), both from the old values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Step(Span<float> p, Span<float> q, float error, float rate, float regularization)
    {
        ref var pp = ref MemoryMarshal.GetReference(p);
        ref var pq = ref MemoryMarshal.GetReference(q);
        var width = Vector<float>.Count;
        var e = new Vector<float>(error);
        var lr = new Vector<float>(rate);
        var keep = new Vector<float>(1 - rate * regularization);
        var j = 0;
        for (; j + width <= p.Length; j += width)
        {
            var vp = Vector.LoadUnsafe(ref pp, (nuint)j);
            var vq = Vector.LoadUnsafe(ref pq, (nuint)j);
            (keep * vp + lr * e * vq).StoreUnsafe(ref pp, (nuint)j);
            (keep * vq + lr * e * vp).StoreUnsafe(ref pq, (nuint)j);
        }
        for (; j < p.Length; j++)
        {
            var vp = p[j];
            var vq = q[j];
            p[j] = (1 - rate * regularization) * vp + rate * error * vq;
            q[j] = (1 - rate * regularization) * vq + rate * error * vp;
        }
    }

    /// <summary>target += scale · source.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddScaled(Span<float> target, ReadOnlySpan<float> source, float scale)
    {
        ref var pt = ref MemoryMarshal.GetReference(target);
        ref var ps = ref MemoryMarshal.GetReference(source);
        var width = Vector<float>.Count;
        var s = new Vector<float>(scale);
        var j = 0;
        for (; j + width <= target.Length; j += width)
        {
            Vector.FusedMultiplyAdd(s, Vector.LoadUnsafe(ref ps, (nuint)j), Vector.LoadUnsafe(ref pt, (nuint)j)).StoreUnsafe(ref pt, (nuint)j);
        }
        for (; j < target.Length; j++) target[j] += scale * source[j];
    }

    /// <summary>Rows of small normal noise (Box–Muller), as Surprise initialises factors.</summary>
    public static float[] Noise(int count, double deviation, Random random)
    {
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            var u1 = 1 - random.NextDouble();
            var u2 = random.NextDouble();
            values[i] = (float)(deviation * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
        return values;
    }
}
