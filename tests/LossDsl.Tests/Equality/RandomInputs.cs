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
        var plan = TypeInference.Infer(ir).Plan;
        var dims = new Dictionary<string, long> { [TypeInference.Batch] = batch };
        // Symbols made by splitting another into parts are the parent's size divided; the parent a multiple.
        foreach (var derived in plan.Derived) dims[derived.Parent] = derived.Parts * random.Next(1, 4);
        foreach (var derived in plan.Derived) dims[derived.Symbol] = dims[derived.Parent] / derived.Parts;
        long Dim(string symbol) =>
            TypeInference.IsLiteral(symbol, out var literal) ? literal
            : dims.TryGetValue(symbol, out var d) ? d : dims[symbol] = random.Next(2, 7);

        var inputs = new Dictionary<string, Tensor>();
        foreach (var check in plan.Inputs)
        {
            var shape = check.Dims.Select(Dim).ToArray();
            if (OpCatalog.IsInteger(check.Kind))
            {
                var ranges = plan.Ranges.Where(r => r.Input == check.Input).Select(r => Dim(r.Dim)).ToList();
                var classes = ranges.Count == 0 ? Math.Min(3, batch) : ranges.Min();
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
