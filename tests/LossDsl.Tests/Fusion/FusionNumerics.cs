using System;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace LossDsl.Tests.Fusion;

/// <summary>Comparisons for the fusion tests: the error of a tensor against a reference, relative to
/// the reference's largest entry (so tiny entries of a large gradient are not held to a relative
/// bound their float32 rounding cannot meet), with −∞ required to match exactly. Below a floor
/// (<see cref="Floor64"/>, <see cref="Floor32"/>) the comparison is absolute: a value that is zero in
/// exact arithmetic is rounding noise in both paths, and noise has no relative error to speak of.</summary>
internal static class FusionNumerics
{
    /// <summary>max |actual − expected| / max(max |expected|, the floor of expected's dtype).</summary>
    public static double RelativeError(Tensor actual, Tensor expected) =>
        RelativeError(actual, expected, expected.dtype == ScalarType.Float32 ? Floor32 : Floor64, expected);

    /// <summary>max |actual − expected| / max(max |scaleFrom|, floor).</summary>
    public static double RelativeError(Tensor actual, Tensor expected, double floor, Tensor scaleFrom)
    {
        var a = Values(actual);
        var e = Values(expected);
        Assert.Equal(e.Length, a.Length);
        var error = 0.0;
        for (var k = 0; k < e.Length; k++)
        {
            Assert.False(double.IsNaN(a[k]), $"NaN at {k} (expected {e[k]})");
            if (double.IsInfinity(e[k]) || double.IsInfinity(a[k])) Assert.Equal(e[k], a[k]);
            else error = Math.Max(error, Math.Abs(a[k] - e[k]));
        }
        var scale = Values(scaleFrom).Where(v => !double.IsInfinity(v)).Select(Math.Abs).DefaultIfEmpty(0).Max();
        return error / Math.Max(scale, floor);
    }

    private static double[] Values(Tensor t) => t.detach().to_type(ScalarType.Float64).contiguous().data<double>().ToArray();

    /// <summary>Below this largest entry a float64 comparison is absolute (1e-12 at tolerance 1e-9).</summary>
    public const double Floor64 = 1e-3;

    /// <summary>Below this largest entry a float32 comparison is absolute (1e-5 at tolerance 1e-4): a
    /// value that cancels O(1/τ) terms (SupCon at N = 2 is s_ip − lse_{j≠i} s_ij = 0) keeps their float32
    /// rounding, ~1e-6.</summary>
    public const double Floor32 = 1e-1;

    public static double Tolerance(ScalarType dtype) => dtype == ScalarType.Float64 ? 1e-9 : 1e-4;

    public static Tensor Labels(Random random, int n, int classes) =>
        tensor(Enumerable.Range(0, n).Select(_ => (long)random.Next(classes)).ToArray(), ScalarType.Int64);
}
