using System;
using System.Numerics;
using SimdVector = System.Numerics.Vector;

namespace LossDsl.Runtime.Kernels;

/// <summary>Dot products and axpy over double spans for the triple kernels (their per-anchor work is in double).
/// One summation order for every call, so equal rows give bit-equal dot products.</summary>
internal static class DoubleSpans
{
    /// <summary>Σ_k a_k·b_k.</summary>
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var acc = Vector<double>.Zero;
        var k = 0;
        for (; k + Vector<double>.Count <= a.Length; k += Vector<double>.Count)
            acc = SimdVector.FusedMultiplyAdd(new Vector<double>(a.Slice(k)), new Vector<double>(b.Slice(k)), acc);
        var sum = SimdVector.Sum(acc);
        for (; k < a.Length; k++) sum += a[k] * b[k];
        return sum;
    }

    /// <summary>y += α·x.</summary>
    public static void Axpy(double alpha, ReadOnlySpan<double> x, Span<double> y)
    {
        var va = new Vector<double>(alpha);
        var k = 0;
        for (; k + Vector<double>.Count <= x.Length; k += Vector<double>.Count)
            SimdVector.FusedMultiplyAdd(va, new Vector<double>(x.Slice(k)), new Vector<double>(y.Slice(k))).CopyTo(y.Slice(k));
        for (; k < x.Length; k++) y[k] += alpha * x[k];
    }
}
