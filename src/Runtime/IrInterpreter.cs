using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Ir;
using static TorchSharp.torch;

namespace LossDsl.Runtime;

/// <summary>Evaluates any <see cref="LossIr"/> eagerly with <see cref="Ops"/>: the reference that
/// generated code is tested against, and a way to run a loss that has no generated class.</summary>
public static class IrInterpreter
{
    /// <summary>Validates <paramref name="inputs"/> (by name; extra entries are ignored), binds the
    /// hyper-parameters (<paramref name="hypers"/> over the IR's defaults, folded with C#'s int, float and
    /// double arithmetic), evaluates every node in id order and returns each term, raw and weighted, and
    /// their sum in term order. Intermediate tensors are disposed; only the result's tensors survive.</summary>
    /// <exception cref="LossInputException">An input is missing or does not fit the plan.</exception>
    /// <exception cref="ArgumentException">A hyper-parameter is unknown or has no value.</exception>
    /// <exception cref="NotSupportedException">The IR holds an operation the interpreter does not know.</exception>
    public static LossResult Evaluate(LossIr ir, IReadOnlyDictionary<string, Tensor> inputs,
        IReadOnlyDictionary<string, double>? hypers = null, string lossName = "loss")
    {
        if (ir.Terms.Count == 0) throw new ArgumentException($"{lossName}: the loss has no terms.", nameof(ir));
        var given = ir.Inputs.Where(i => inputs.ContainsKey(i.Name)).Select(i => (i.Name, inputs[i.Name])).ToList();
        var types = TypeInference.Infer(ir);
        if (types.Errors.Count > 0)
            throw new ArgumentException($"{lossName}: " + string.Join("; ", types.Errors.Select(e => e.Message)), nameof(ir));
        var shapes = InputValidator.Validate(lossName, types.Plan, given);
        var bound = IrTransforms.BindHypers(ir, HyperValues(ir, hypers, lossName));
        var boundTypes = TypeInference.Infer(bound);

        using var scope = NewDisposeScope();
        var values = new object[bound.Nodes.Count];
        foreach (var node in bound.Nodes) values[node.Id] = NodeEvaluator.Evaluate(bound, boundTypes, node, values, inputs, shapes);

        var owned = new HashSet<Tensor>(given.Select(g => g.Item2), ReferenceEqualityComparer.Instance);
        var floatType = given.Select(g => g.Item2.dtype).FirstOrDefault(t => is_floating_point(t), ScalarType.Float32);
        var terms = new List<TermValue>();
        Tensor? total = null;
        foreach (var term in bound.Terms)
        {
            var raw = AsScalarTensor(values[term.Root], floatType, shapes.Device);
            // A root shared with an input or another term gets its own handle, so Dispose frees each once.
            if (!owned.Add(raw)) raw = raw.alias();
            var weighted = Scalars.Mul(raw, term.Weight);
            terms.Add(new TermValue(term.Name, term.Weight, raw, weighted));
            total = total is null ? weighted.alias() : Scalars.Add(total, weighted);
        }
        scope.MoveToOuter(terms.SelectMany(t => new IDisposable[] { t.Raw, t.Weighted }).Append(total!));
        return new LossResult(total!, terms);
    }

    /// <summary>The IR's defaults overridden by <paramref name="given"/>.</summary>
    private static Dictionary<string, double> HyperValues(LossIr ir, IReadOnlyDictionary<string, double>? given, string lossName)
    {
        var values = ir.Hypers.ToDictionary(h => h.Name, h => h.Default);
        foreach (var pair in given ?? new Dictionary<string, double>())
        {
            if (!values.ContainsKey(pair.Key) && !ir.Nodes.Any(n => n.Op == OpCode.Hyper && n.Name == pair.Key))
                throw new ArgumentException(
                    $"{lossName}: unknown hyper-parameter '{pair.Key}'; the loss has: {string.Join(", ", values.Keys.DefaultIfEmpty("none"))}.",
                    nameof(given));
            values[pair.Key] = pair.Value;
        }
        return values;
    }

    private static Tensor AsScalarTensor(object value, ScalarType floatType, Device device) => value switch
    {
        Tensor t => t,
        double d => tensor(d, floatType, device),
        _ => throw new InvalidOperationException($"A term must evaluate to a scalar, not a {value.GetType().Name}."),
    };
}
