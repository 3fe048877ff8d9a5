using System;
using System.Collections.Generic;
using LossDsl.Cli;
using LossDsl.Runtime;
using static TorchSharp.torch;

namespace LossDsl.Tests;

/// <summary>Computes a loss along one of the three paths: its generated code with fused kernels, without them,
/// or the interpreter running the IR its terms trace (with the instance's hyper-parameters).</summary>
public static class LossPaths
{
    public static Func<IReadOnlyDictionary<string, Tensor>, LossResult> Compute(ILoss loss, EvaluationPath path)
    {
        if (path == EvaluationPath.Interpreted) return inputs => IrInterpreter.Evaluate(loss.Trace(), inputs, lossName: loss.Name);
        UseFused(loss, path == EvaluationPath.Fused);
        return loss.Compute;
    }

    /// <summary>Runs <paramref name="loss"/> fused or unfused at every batch size: fused means every region through its
    /// kernel (<c>MinimumFusedPairs = 0</c>; the default thresholds would run a test's small batches unfused).</summary>
    public static void UseFused(ILoss loss, bool fused)
    {
        loss.UseFusedKernels = fused;
        loss.MinimumFusedPairs = 0;
    }
}
