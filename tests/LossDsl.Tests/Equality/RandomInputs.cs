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
                // Values within every range that reads them: all entries, or one column each.
                var ranges = plan.Ranges.Where(r => r.Input == check.Input).ToList();
                long Bound(int? column) =>
                    ranges.Where(r => r.Column is null || r.Column == column).Select(r => Dim(r.Dim)).DefaultIfEmpty(Math.Min(3, batch)).Min();
                if (ranges.Any(r => r.Column is not null))
                {
                    var columns = Enumerable.Range(0, (int)shape[^1])
                        .Select(k => randint(0, Math.Max(1, Bound(k)), shape[..^1], dtype: ScalarType.Int64)).ToArray();
                    inputs[check.Input] = stack(columns, -1);
                }
                else inputs[check.Input] = randint(0, Math.Max(1, Bound(null)), shape, dtype: ScalarType.Int64);
            }
            else if (check.Kind == ValueKind.Boxes)
            {
                // (cx, cy, w, h) in (0, 1) with positive sizes, as a detector's sigmoid outputs.
                inputs[check.Input] = (rand(shape, dtype: dtype) * 0.8 + 0.1).requires_grad_(true);
            }
            else
            {
                inputs[check.Input] = randn(shape, dtype: dtype).requires_grad_(true);
            }
        }
        return inputs;
    }
}
