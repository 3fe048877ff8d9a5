using System;
using LossDsl.Runtime;
using LossDsl.Zoo;
using static TorchSharp.torch;

namespace LossDsl.Bench;

/// <summary>The generated zoo losses, the code users actually run, as benchmark variants with the hyper-parameters
/// of the eager ports in <see cref="Losses"/>: <i>fused</i> runs every region through the engine
/// (<c>MinimumFusedPairs = 0</c>), <i>unfused</i> runs the generated TorchSharp nodes (<c>UseFusedKernels = false</c>),
/// <i>default</i> is what a user gets without setting either (fused from the measured threshold up, unfused below).
/// Each variant returns the 0-d <c>LossResult.Total</c>.</summary>
internal static class Generated
{
    /// <summary>The losses that have a generated variant, by their benchmark name.</summary>
    public static readonly string[] Names = { "NT-Xent", "SupCon", "BatchHard", "MultiSimilarity", "RKD-dist", "RKD-angle", "TripletMargin" };

    /// <summary>The generated loss of benchmark <paramref name="loss"/>, fused or unfused; null for a loss without one.</summary>
    public static Func<Tensor, Tensor, Tensor>? For(string loss, bool fused) => For(loss, fused, fused ? 0 : null);

    /// <summary>The generated loss of benchmark <paramref name="loss"/> with its default fusion policy.</summary>
    public static Func<Tensor, Tensor, Tensor>? Default(string loss) => For(loss, fused: true, minimumPairs: null);

    private static Func<Tensor, Tensor, Tensor>? For(string loss, bool fused, long? minimumPairs) => loss switch
    {
        // NT-Xent and SupCon: τ as the ports (Losses.Tau); the zoo defaults are 0.07 and 0.1.
        "NT-Xent" => Configure(new NtXent { Temperature = Losses.Tau }, fused, minimumPairs, (l, z, y) => l.Compute(z, y)),
        "SupCon" => Configure(new SupCon { Temperature = Losses.Tau }, fused, minimumPairs, (l, z, y) => l.Compute(z, y)),
        "BatchHard" => Configure(new BatchHardTriplet { Margin = Losses.Margin }, fused, minimumPairs, (l, z, y) => l.Compute(z, y)),
        // pytorch-metric-learning's defaults (α = 2, β = 50, base = 0.5); no eager port.
        "MultiSimilarity" => Configure(new MultiSimilarity(), fused, minimumPairs, (l, z, y) => l.Compute(z, y)),
        // RepDistiller's weights (w_d = 25, w_a = 50), as the ports; the second input is the teacher.
        "RKD-dist" => Configure(new RkdDistance(), fused, minimumPairs, (l, s, t) => l.Compute(s, t)),
        "RKD-angle" => Configure(new RkdAngle(), fused, minimumPairs, (l, s, t) => l.Compute(s, t)),
        // pytorch-metric-learning's all-triplets TripletMarginLoss (margin 0.05); no quick case (threshold only).
        "TripletMargin" => Configure(new TripletMargin(), fused, minimumPairs, (l, z, y) => l.Compute(z, y)),
        _ => null,
    };

    private static Func<Tensor, Tensor, Tensor> Configure<TLoss>(TLoss loss, bool fused, long? minimumPairs,
        Func<TLoss, Tensor, Tensor, LossResult> compute)
        where TLoss : ILoss
    {
        loss.UseFusedKernels = fused;
        loss.MinimumFusedPairs = minimumPairs;
        return (z, y) => compute(loss, z, y).Total;
    }
}
