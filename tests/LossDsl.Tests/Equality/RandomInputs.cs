using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Ir;
using TorchSharp;
using static TorchSharp.torch;

namespace LossDsl.Tests.Equality;

/// <summary>Random inputs that satisfy a loss's shape plan: one value per dimension symbol, labels
/// inside their class range, float inputs requiring gradients.</summary>
public static class RandomInputs
{
    public static Dictionary<string, Tensor> For(LossIr ir, int seed, long batch, ScalarType dtype = ScalarType.Float64)
    {
        var random = new Random(seed);
        torch.random.manual_seed(seed);
        var plan = ShapeInference.Infer(ir);
        var dims = new Dictionary<string, long> { [ShapeInference.Batch] = batch };
        long Dim(string symbol) => dims.TryGetValue(symbol, out var d) ? d : dims[symbol] = random.Next(2, 7);

        var inputs = new Dictionary<string, Tensor>();
        foreach (var check in plan.Inputs)
        {
            var shape = check.Dims.Select(Dim).ToArray();
            if (check.Kind == ValueKind.Labels)
            {
                var range = plan.LabelRanges.FirstOrDefault(r => r.Labels == check.Input);
                var classes = range is null ? Math.Min(3, batch) : Dim(range.ClassDim);
                inputs[check.Input] = randint(0, Math.Max(1, classes), shape, dtype: ScalarType.Int64);
            }
            else
            {
                inputs[check.Input] = randn(shape, dtype: dtype).requires_grad_(true);
            }
        }
        return inputs;
    }
}
