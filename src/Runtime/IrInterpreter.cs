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
    /// <remarks>As generated <c>Compute</c>: hyper-parameters are checked first (<see cref="HyperValidator"/>), then the
    /// inputs (<see cref="InputValidator"/>, with <paramref name="nonFinite"/>); float16 and bfloat16 inputs are computed
    /// in float32 (<see cref="InputGuards.Widen"/>); with <see cref="NonFiniteInputs.Propagate"/> a term that reads an
    /// input holding NaN (or an infinity its kind cannot hold) is NaN.</remarks>
    /// <exception cref="LossInputException">An input is missing or does not fit the plan.</exception>
    /// <exception cref="LossHyperException">A hyper-parameter is NaN, or a temperature is not a positive finite number.</exception>
    /// <exception cref="ArgumentException">A hyper-parameter is unknown or has no value.</exception>
    /// <exception cref="NotSupportedException">The IR holds an operation the interpreter does not know.</exception>
    public static LossResult Evaluate(LossIr ir, IReadOnlyDictionary<string, Tensor> inputs,
        IReadOnlyDictionary<string, double>? hypers = null, string lossName = "loss",
        NonFiniteInputs nonFinite = NonFiniteInputs.Propagate, bool allowEmptyBatch = false)
    {
        if (ir.Terms.Count == 0) throw new ArgumentException($"{lossName}: the loss has no terms.", nameof(ir));
        var types = TypeInference.Infer(ir);
        if (types.Errors.Count > 0)
            throw new ArgumentException($"{lossName}: " + string.Join("; ", types.Errors.Select(e => e.Message)), nameof(ir));
        var hyperValues = HyperValues(ir, hypers, lossName);
        var given = ir.Inputs.Where(i => inputs.ContainsKey(i.Name)).Select(i => (i.Name, inputs[i.Name])).ToList();
        var shapes = InputValidator.Validate(lossName, types.Plan, given,
            ir.Nodes.Any(n => OpCatalog.IsHost(n.Op)) ? InputGuards.ForHostOperations(nonFinite) : nonFinite, allowEmptyBatch);
        var bound = IrTransforms.BindHypers(ir, hyperValues);
        var boundTypes = TypeInference.Infer(bound);

        using var scope = NewDisposeScope();
        var computeInputs = new Dictionary<string, Tensor>();
        var invalid = new Dictionary<string, Tensor>();
        foreach (var input in ir.Inputs)
        {
            if (!inputs.TryGetValue(input.Name, out var tensor)) continue;
            computeInputs[input.Name] = InputGuards.Widen(tensor);
            if (nonFinite == NonFiniteInputs.Propagate && tensor.is_floating_point())
                invalid[input.Name] = InputGuards.AnyInvalid(tensor, input.Kind);
        }
        var values = new object[bound.Nodes.Count];
        foreach (var node in bound.Nodes) values[node.Id] = NodeEvaluator.Evaluate(bound, boundTypes, node, values, computeInputs, shapes);

        var floatType = computeInputs.Values.Select(t => t.dtype).FirstOrDefault(t => is_floating_point(t), ScalarType.Float32);
        var terms = new List<TermValue>();
        Tensor? total = null;
        foreach (var term in bound.Terms)
        {
            var flags = bound.InputsReadBy(term.Root).Where(invalid.ContainsKey).Select(name => (Tensor?)invalid[name]).ToArray();
            // A new handle per term (Poison never returns its argument), so Dispose frees each once.
            var raw = InputGuards.Poison(AsScalarTensor(values[term.Root], floatType, shapes.Device), flags);
            var weighted = Scalars.Mul(raw, term.Weight);
            terms.Add(new TermValue(term.Name, term.Weight, raw, weighted));
            total = total is null ? weighted.alias() : Scalars.Add(total, weighted);
        }
        scope.MoveToOuter(terms.SelectMany(t => new IDisposable[] { t.Raw, t.Weighted }).Append(total!));
        return new LossResult(total!, terms);
    }

    /// <summary>The IR's defaults overridden by <paramref name="given"/>, each checked (<see cref="HyperValidator"/>).</summary>
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
        foreach (var pair in values)
            HyperValidator.Check(lossName, pair.Key, pair.Value, ir.Hypers.Any(h => h.Name == pair.Key && h.Temperature));
        return values;
    }

    private static Tensor AsScalarTensor(object value, ScalarType floatType, Device device) => value switch
    {
        Tensor t => t,
        double d => tensor(d, floatType, device),
        _ => throw new InvalidOperationException($"A term must evaluate to a scalar, not a {value.GetType().Name}."),
    };
}
