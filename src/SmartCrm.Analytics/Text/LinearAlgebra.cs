using System.Numerics;

namespace SmartCrm.Analytics.Text;

/// <summary>Small vectorised loops the text models share.</summary>
internal static class LinearAlgebra
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
}
