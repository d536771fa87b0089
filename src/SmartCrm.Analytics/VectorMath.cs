using System.Numerics;

namespace SmartCrm.Analytics;

/// <summary>Small vectorised loops over dense vectors that the models share.</summary>
internal static class VectorMath
{
    /// <summary>target += scale · source, with a float source.</summary>
    public static void AddScaled(Span<double> target, ReadOnlySpan<float> source, double scale)
    {
        for (var i = 0; i < target.Length; i++) target[i] += scale * source[i];
    }

    /// <summary>Widens floats to doubles.</summary>
    public static void ToDouble(this Span<float> source, Span<double> target)
    {
        for (var i = 0; i < source.Length; i++) target[i] = source[i];
    }

    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var sum = Vector<double>.Zero;
        var i = 0;
        for (; i <= a.Length - Vector<double>.Count; i += Vector<double>.Count)
            sum += new Vector<double>(a[i..]) * new Vector<double>(b[i..]);
        var total = Vector.Sum(sum);
        for (; i < a.Length; i++) total += a[i] * b[i];
        return total;
    }

    /// <summary>target += scale · source.</summary>
    public static void AddScaled(Span<double> target, ReadOnlySpan<double> source, double scale)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var s = new Vector<double>(scale);
            for (; i <= target.Length - Vector<double>.Count; i += Vector<double>.Count)
                (new Vector<double>(target[i..]) + s * new Vector<double>(source[i..])).CopyTo(target[i..]);
        }
        for (; i < target.Length; i++) target[i] += scale * source[i];
    }
}
