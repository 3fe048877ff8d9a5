using System;
using static TorchSharp.torch;

namespace LossDsl.Tests.Oracle;

/// <summary>How far a result is from a reference. Errors are relative per element:
/// <c>max_i |a_i − r_i| / max(|r_i|, floor)</c>, so a small entry must be as exact as a large one.
/// The floor (default 1e-12) only stops exact zeros of the reference from dividing by zero.</summary>
public static class Tolerance
{
    /// <summary>The largest per-element relative error of <paramref name="actual"/> against <paramref name="reference"/>
    /// (+∞ when the shapes differ or either holds a NaN).</summary>
    public static double MaxRelativeError(Tensor actual, Tensor reference, double floor = 1e-12)
    {
        if (!actual.shape.AsSpan().SequenceEqual(reference.shape)) return double.PositiveInfinity;
        using var scope = NewDisposeScope();
        var a = actual.detach().to(ScalarType.Float64).cpu();
        var r = reference.detach().to(ScalarType.Float64).cpu();
        if (a.isnan().any().item<bool>() || r.isnan().any().item<bool>()) return double.PositiveInfinity;
        if (a.numel() == 0) return 0;
        return ((a - r).abs() / r.abs().clamp_min(floor)).max().item<double>();
    }

    /// <summary>The relative error of a scalar value.</summary>
    public static double RelativeError(double actual, double reference, double floor = 1e-12) =>
        double.IsNaN(actual) || double.IsNaN(reference)
            ? double.PositiveInfinity
            : Math.Abs(actual - reference) / Math.Max(Math.Abs(reference), floor);

    /// <summary>Whether every element is within <paramref name="tolerance"/>; <paramref name="error"/> says how far it is.</summary>
    public static bool Matches(Tensor actual, Tensor reference, double tolerance, out double error, double floor = 1e-12)
    {
        error = MaxRelativeError(actual, reference, floor);
        return error <= tolerance;
    }
}
