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
        loss.UseFusedKernels = path == EvaluationPath.Fused;
        loss.MinimumFusedPairs = 0; // fused means fused at every size (the default threshold would run small batches unfused)
        return loss.Compute;
    }
}
