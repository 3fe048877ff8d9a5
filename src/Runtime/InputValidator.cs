using System.Collections.Generic;
using System.Linq;
using LossDsl.Ir;
using static TorchSharp.torch;

namespace LossDsl.Runtime;

/// <summary>Checks a call's tensors against a loss's <see cref="ShapePlan"/> before anything is
/// computed, and binds the dimension symbols. Errors name the loss, term and input, the expected
/// symbolic shape with its bound sizes, the actual shape, and which input fixed the size.</summary>
public static class InputValidator
{
    private sealed record Binding(long Size, string Input, string Reason);

    /// <summary>Checks, input by input in plan order: presence, rank, that every dimension symbol takes
    /// one size across inputs (the first input binding it wins), dtype (integer labels, floating-point
    /// everything else) and one device; then every <see cref="LabelRangeCheck"/>.</summary>
    /// <exception cref="LossInputException">The first violation found.</exception>
    public static BoundShapes Validate(string lossName, ShapePlan plan, IReadOnlyList<(string Name, Tensor Value)> inputs)
    {
        var dims = new Dictionary<string, Binding>();
        Device? device = null;
        var deviceInput = "";
        foreach (var check in plan.Inputs)
        {
            var tensor = Lookup(lossName, check, inputs, dims);
            BindShape(lossName, check, tensor, dims);
            CheckDtype(lossName, check, tensor, dims);
            if (device is null) (device, deviceInput) = (tensor.device, check.Input);
            else if (tensor.device.type != device.type || tensor.device.index != device.index)
                throw Fail(lossName, check.Term, check, $"device {device}", $"{tensor.device}",
                    $"a tensor on {device} (where input '{deviceInput}' is)", $"one on {tensor.device}", "");
        }
        foreach (var range in plan.LabelRanges) CheckLabelRange(lossName, plan, range, inputs, dims);
        return new BoundShapes(dims.ToDictionary(d => d.Key, d => d.Value.Size), device ?? CPU);
    }

    /// <summary>The input <paramref name="input"/> from a by-name call, for generated
    /// <c>Compute(IReadOnlyDictionary)</c>; a null entry is passed on for <see cref="Validate"/> to report.</summary>
    /// <exception cref="LossInputException">No entry has that name; the message lists the given names.</exception>
    public static Tensor Require(IReadOnlyDictionary<string, Tensor> inputs, string lossName, string input, string term)
    {
        if (inputs.TryGetValue(input, out var tensor)) return tensor;
        var given = inputs.Count == 0 ? "none" : string.Join(", ", inputs.Keys.Select(k => "'" + k + "'"));
        throw new LossInputException(lossName, term, input, "a tensor", "missing",
            $"{lossName}: term '{term}', input '{input}': expected a tensor, got none. The input is missing (given: {given}).");
    }

    private static Tensor Lookup(string loss, InputCheck check, IReadOnlyList<(string Name, Tensor Value)> inputs, Dictionary<string, Binding> dims)
    {
        foreach (var (name, value) in inputs)
        {
            if (name != check.Input) continue;
            return value ?? throw Fail(loss, check.Term, check, Expected(check, dims), "null",
                "shape " + Expected(check, dims), "null", "");
        }
        var given = inputs.Count == 0 ? "none" : string.Join(", ", inputs.Select(i => "'" + i.Name + "'"));
        throw Fail(loss, check.Term, check, Expected(check, dims), "missing",
            "shape " + Expected(check, dims), "no tensor", $" The input is missing (given: {given}).");
    }

    private static void BindShape(string loss, InputCheck check, Tensor tensor, Dictionary<string, Binding> dims)
    {
        var shape = tensor.shape;
        if (shape.Length != check.Dims.Count)
            throw Fail(loss, check.Term, check, Expected(check, dims), Format(shape),
                "shape " + Expected(check, dims), Format(shape),
                $" The input must have rank {check.Dims.Count}, not {shape.Length}.");

        var local = new Dictionary<string, Binding>(dims);
        for (var d = 0; d < shape.Length; d++)
        {
            var symbol = check.Dims[d];
            if (!local.TryGetValue(symbol, out var bound))
            {
                local[symbol] = new Binding(shape[d], check.Input, check.DimReasons[d]);
                continue;
            }
            if (bound.Size == shape[d]) continue;
            var expected = Expected(check, dims);
            throw Fail(loss, check.Term, check, expected, Format(shape), "shape " + expected, Format(shape),
                " " + Origin(symbol, bound, check, d));
        }
        foreach (var pair in local) dims[pair.Key] = pair.Value;
    }

    private static void CheckDtype(string loss, InputCheck check, Tensor tensor, Dictionary<string, Binding> dims)
    {
        var isLabels = check.Kind == ValueKind.Labels;
        var ok = isLabels
            ? tensor.dtype is ScalarType.Int64 or ScalarType.Int32
            : tensor.is_floating_point();
        if (ok) return;
        var want = isLabels ? "Int64 or Int32" : "floating-point";
        throw Fail(loss, check.Term, check, want, tensor.dtype.ToString(),
            $"{Article(want)} {want} tensor of shape {Expected(check, dims)}",
            $"{Article(tensor.dtype.ToString())} {tensor.dtype} tensor of shape {Format(tensor.shape)}",
            isLabels ? " Labels are class indices." : "");
    }

    private static void CheckLabelRange(string loss, ShapePlan plan, LabelRangeCheck range,
        IReadOnlyList<(string Name, Tensor Value)> inputs, Dictionary<string, Binding> dims)
    {
        if (!dims.TryGetValue(range.ClassDim, out var classes)) return;
        var check = plan.Inputs.First(i => i.Input == range.Labels);
        var labels = inputs.First(i => i.Name == range.Labels).Value;
        using var scope = NewDisposeScope();
        var values = labels.detach().to(ScalarType.Int64).cpu().flatten().data<long>().ToArray();
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] >= 0 && values[i] < classes.Size) continue;
            var expected = $"[0, {range.ClassDim}) = [0, {classes.Size})";
            throw Fail(loss, range.Term, check, expected, $"{values[i]} at index {i}",
                $"class indices in {expected} for shape {Expected(check, dims)}",
                $"label {values[i]} at index {i} (shape {Format(labels.shape)})",
                $" {range.ClassDim} = {classes.Size} comes from input '{classes.Input}'.");
        }
    }

    /// <summary>"D = 5 comes from input 'x' (why they must be equal)."</summary>
    private static string Origin(string symbol, Binding bound, InputCheck check, int dim)
    {
        var reason = check.DimReasons[dim] != "" ? check.DimReasons[dim] : bound.Reason;
        var why = reason != "" ? $" ({reason} needs them equal)"
            : symbol == ShapeInference.Batch ? $" (all inputs share the batch dimension {ShapeInference.Batch})"
            : "";
        var from = bound.Input == check.Input ? "another dimension of the same input" : $"input '{bound.Input}'";
        return $"{symbol} = {bound.Size} comes from {from}{why}.";
    }

    /// <summary>"[N, C_s] = [12, 10]", with "?" for sizes no earlier input bound.</summary>
    private static string Expected(InputCheck check, Dictionary<string, Binding> dims)
    {
        var symbolic = "[" + string.Join(", ", check.Dims) + "]";
        if (!check.Dims.Any(dims.ContainsKey)) return symbolic;
        var sizes = check.Dims.Select(s => dims.TryGetValue(s, out var b) ? b.Size.ToString() : "?");
        return symbolic + " = [" + string.Join(", ", sizes) + "]";
    }

    private static string Article(string word) => "AEIOUaeiou".IndexOf(word[0]) >= 0 ? "an" : "a";

    private static string Format(long[] shape) => "[" + string.Join(", ", shape) + "]";

    private static LossInputException Fail(string loss, string term, InputCheck check, string expected, string actual,
        string expectedText, string actualText, string explanation) =>
        new(loss, term, check.Input, expected, actual,
            $"{loss}: term '{term}', input '{check.Input}' ({check.Kind}): expected {expectedText}, got {actualText}.{explanation}");
}
