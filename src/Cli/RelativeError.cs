using System;
using System.Collections.Generic;

namespace LossDsl.Cli;

/// <summary>How far LossDsl's result <c>a</c> is from the reference <c>b</c>.
/// Value: <c>|a − b| / max(|b|, tiny)</c>. Gradient (normwise): <c>max_k |a_k − b_k| / max(max_k |b_k|, tiny)</c>.
/// <c>tiny</c> (1e-300) only keeps an all-zero reference from dividing by zero. A NaN or infinity on either
/// side counts as +∞ unless both sides hold the same non-finite value.</summary>
public static class RelativeError
{
    /// <summary>The floor of the denominator.</summary>
    public const double Tiny = 1e-300;

    /// <summary>The relative error of a scalar value.</summary>
    public static double OfValue(double actual, double reference)
    {
        if (!double.IsFinite(actual) || !double.IsFinite(reference))
            return SameNonFinite(actual, reference) ? 0 : double.PositiveInfinity;
        return Math.Abs(actual - reference) / Math.Max(Math.Abs(reference), Tiny);
    }

    /// <summary>The normwise relative error of a gradient (both flattened in the same order).</summary>
    public static double OfGradient(IReadOnlyList<double> actual, IReadOnlyList<double> reference)
    {
        if (actual.Count != reference.Count) return double.PositiveInfinity;
        double diff = 0, scale = 0;
        for (var k = 0; k < actual.Count; k++)
        {
            double a = actual[k], b = reference[k];
            if (!double.IsFinite(a) || !double.IsFinite(b))
            {
                if (SameNonFinite(a, b)) continue;
                return double.PositiveInfinity;
            }
            diff = Math.Max(diff, Math.Abs(a - b));
            scale = Math.Max(scale, Math.Abs(b));
        }
        return diff / Math.Max(scale, Tiny);
    }

    private static bool SameNonFinite(double a, double b) =>
        (double.IsNaN(a) && double.IsNaN(b)) || (double.IsInfinity(a) && a == b);
}
