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
    /// everything else, one floating-point dtype per call with float16 and bfloat16 counted as the float32 they are
    /// computed in) and one device; then that the batch is not empty, every <see cref="RangeCheck"/> and
    /// <see cref="DerivedCheck"/>, and, with <see cref="NonFiniteInputs.Throw"/>, that no float input holds a value its
    /// kind cannot hold.</summary>
    /// <remarks>The batch is the dimension <c>N</c>, or, when no input has it, the first dimension of the first input
    /// (Dice's <c>B</c>, DETR's queries <c>Q</c>). <b>N = 0 policy:</b> an empty batch is refused with a
    /// <see cref="LossInputException"/> for every loss, fused or not: a loss is a mean (or sum) over samples, and a
    /// step on no samples is a data-pipeline mistake to skip, not a number — except for a loss declared
    /// <c>[Loss(AllowEmptyBatch = true)]</c> (<paramref name="allowEmptyBatch"/>: unlearning losses whose batch is the
    /// forget set beside a retain set), whose doc gives its value. Other dimensions may be 0 (an image with no target
    /// boxes, <c>G = 0</c>).</remarks>
    /// <exception cref="LossInputException">The first violation found.</exception>
    public static BoundShapes Validate(string lossName, ShapePlan plan, IReadOnlyList<(string Name, Tensor Value)> inputs,
        NonFiniteInputs nonFinite = NonFiniteInputs.Propagate, bool allowEmptyBatch = false)
    {
        var dims = new Dictionary<string, Binding>();
        Device? device = null;
        var deviceInput = "";
        (ScalarType Type, string Input)? floats = null;
        var tensors = new List<(InputCheck Check, Tensor Tensor)>();
        foreach (var check in plan.Inputs)
        {
            var tensor = Lookup(lossName, check, inputs, dims);
            BindShape(lossName, check, tensor, dims);
            CheckDtype(lossName, check, tensor, dims);
            if (tensor.is_floating_point())
            {
                var type = InputGuards.ComputeType(tensor.dtype);
                if (floats is null) floats = (type, check.Input);
                else if (floats.Value.Type != type)
                    throw Fail(lossName, check.Term, check, $"{floats.Value.Type}", $"{tensor.dtype}",
                        $"a {floats.Value.Type} tensor (the dtype of input '{floats.Value.Input}') of shape {Expected(check, dims)}",
                        $"{Article(tensor.dtype.ToString())} {tensor.dtype} tensor of shape {Format(tensor.shape)}",
                        " The floating-point inputs of one call share one dtype (float16 and bfloat16 are computed in float32); convert them first.");
            }
            if (check.Kind == ValueKind.Boxes) CheckBoxes(lossName, check, tensor, dims);
            if (device is null) (device, deviceInput) = (tensor.device, check.Input);
            else if (tensor.device.type != device.type || tensor.device.index != device.index)
                throw Fail(lossName, check.Term, check, $"device {device}", $"{tensor.device}",
                    $"a tensor on device {device} (where input '{deviceInput}' is)", $"one on device {tensor.device}",
                    " All inputs of one call must be on one device.");
            tensors.Add((check, tensor));
        }
        if (!allowEmptyBatch) CheckBatch(lossName, plan, dims);
        foreach (var range in plan.Ranges) CheckRange(lossName, plan, range, inputs, dims);
        foreach (var derived in plan.Derived) CheckDerived(lossName, plan, derived, dims);
        if (nonFinite == NonFiniteInputs.Throw)
            foreach (var (check, tensor) in tensors)
                if (tensor.is_floating_point()) CheckFinite(lossName, check, tensor, dims);
        // The inputs' float type as computed (float16 and bfloat16 in float32): the type of values made from conditions and counts.
        var floatType = floats?.Type ?? ScalarType.Float32;
        return new BoundShapes(dims.ToDictionary(d => d.Key, d => d.Value.Size), device ?? CPU, floatType);
    }

    /// <summary>The batch dimension of a plan: <c>N</c> when an input has it, else the first dimension of the first
    /// input that has one; null for a loss of 0-d inputs only.</summary>
    public static string? BatchSymbol(ShapePlan plan) =>
        plan.Inputs.Any(i => i.Dims.Contains(TypeInference.Batch))
            ? TypeInference.Batch
            : plan.Inputs.Where(i => i.Dims.Count > 0).Select(i => i.Dims[0]).FirstOrDefault(d => !TypeInference.IsLiteral(d, out _));

    private static void CheckBatch(string loss, ShapePlan plan, Dictionary<string, Binding> dims)
    {
        if (BatchSymbol(plan) is not { } batch || !dims.TryGetValue(batch, out var bound) || bound.Size != 0) return;
        var check = plan.Inputs.First(i => i.Input == bound.Input);
        throw Fail(loss, check.Term, check, $"{batch} ≥ 1", $"{batch} = 0",
            $"a non-empty batch ({batch} ≥ 1) for shape {Expected(check, dims)}", $"{batch} = 0",
            " An empty batch has no loss (every mean would be over no samples): skip the step.");
    }

    private static void CheckFinite(string loss, InputCheck check, Tensor tensor, Dictionary<string, Binding> dims)
    {
        using var scope = NewDisposeScope();
        var bad = InputGuards.InvalidEntries(tensor, check.Kind);
        if (!bad.any().item<bool>()) return;
        var first = bad.flatten().nonzero()[0].item<long>();
        var index = new long[tensor.shape.Length];
        for (var d = index.Length - 1; d >= 0; d--)
        {
            index[d] = first % tensor.shape[d];
            first /= tensor.shape[d];
        }
        // A 0-dimensional input (a scalar such as a running mean) has no index to read through.
        var entry = index.Length == 0 ? tensor.detach() : tensor.detach()[index.Select(i => TensorIndex.Single(i)).ToArray()];
        var value = entry.to(ScalarType.Float64).item<double>();
        var shown = double.IsNaN(value) ? "NaN" : double.IsPositiveInfinity(value) ? "+∞" : "−∞";
        var allowed = InputGuards.AllowsNegativeInfinity(check.Kind) ? "finite values (or −∞)" : "finite values";
        throw Fail(loss, check.Term, check, allowed, $"{shown} at {Format(index)}",
            $"{allowed} in shape {Expected(check, dims)}", $"{shown} at index {Format(index)}",
            " Loss.NonFiniteInputs is Throw; with Propagate the terms reading this input would be NaN.");
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
            if (TypeInference.IsLiteral(symbol, out var literal))
            {
                if (literal == shape[d]) continue;
                var wanted = Expected(check, dims);
                throw Fail(loss, check.Term, check, wanted, Format(shape), "shape " + wanted, Format(shape),
                    $" Dimension {d} must be exactly {literal}.");
            }
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
        var isLabels = OpCatalog.IsInteger(check.Kind);
        var ok = isLabels
            ? tensor.dtype is ScalarType.Int64 or ScalarType.Int32
            : tensor.is_floating_point();
        if (ok) return;
        var want = isLabels ? "Int64 or Int32" : "floating-point";
        throw Fail(loss, check.Term, check, want, tensor.dtype.ToString(),
            $"{Article(want)} {want} tensor of shape {Expected(check, dims)}",
            $"{Article(tensor.dtype.ToString())} {tensor.dtype} tensor of shape {Format(tensor.shape)}",
            isLabels ? $" {check.Kind} are integer indices." : "");
    }

    private static void CheckRange(string loss, ShapePlan plan, RangeCheck range,
        IReadOnlyList<(string Name, Tensor Value)> inputs, Dictionary<string, Binding> dims)
    {
        long size;
        string origin;
        if (TypeInference.IsLiteral(range.Dim, out var literal)) (size, origin) = (literal, "");
        else if (dims.TryGetValue(range.Dim, out var bound)) (size, origin) = (bound.Size, $" {range.Dim} = {bound.Size} comes from input '{bound.Input}'.");
        else return;
        var check = plan.Inputs.First(i => i.Input == range.Input);
        var labels = inputs.First(i => i.Name == range.Input).Value;
        using var scope = NewDisposeScope();
        var read = labels.detach().to(ScalarType.Int64).cpu();
        if (range.Column is { } k) read = read.select(-1, k);
        var values = read.contiguous().flatten().data<long>().ToArray();
        var inColumn = range.Column is { } c ? $" of column {c}" : "";
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] >= 0 && values[i] < size || values[i] == range.Ignore) continue;
            var expected = $"[0, {range.Dim}) = [0, {size})";
            var ignored = range.Ignore is { } ig ? $" or the ignored index {ig}" : "";
            throw Fail(loss, range.Term, check, expected, $"{values[i]} at index {i}",
                $"{range.What} indices{inColumn} in {expected}{ignored} for shape {Expected(check, dims)}",
                $"{(range.What == "class" ? "label" : "index")} {values[i]} at index {i}{inColumn} (shape {Format(labels.shape)})", origin);
        }
    }

    /// <summary>Boxes need finite coordinates and widths and heights ≥ 0 (GIoU is undefined otherwise).</summary>
    private static void CheckBoxes(string loss, InputCheck check, Tensor boxes, Dictionary<string, Binding> dims)
    {
        using var scope = NewDisposeScope();
        var values = boxes.detach().to(ScalarType.Float64).cpu().contiguous().flatten().data<double>().ToArray();
        var width = boxes.shape[^1];
        for (var i = 0; i < values.Length; i++)
        {
            var isSize = i % width >= 2;
            if (double.IsFinite(values[i]) && (!isSize || values[i] >= 0)) continue;
            var box = i / width;
            var what = !double.IsFinite(values[i]) ? $"a non-finite coordinate {values[i]}" : $"a negative {(i % width == 2 ? "width" : "height")} {values[i]}";
            throw Fail(loss, check.Term, check, "boxes (cx, cy, w, h) with w, h ≥ 0", $"{what} in box {box}",
                $"boxes (cx, cy, w, h) with finite coordinates and w, h ≥ 0 for shape {Expected(check, dims)}",
                $"{what} in box {box}", "");
        }
    }

    private static void CheckDerived(string loss, ShapePlan plan, DerivedCheck derived, Dictionary<string, Binding> dims)
    {
        if (!dims.TryGetValue(derived.Parent, out var parent) || !dims.TryGetValue(derived.Symbol, out var part)) return;
        if (parent.Size % derived.Parts == 0 && parent.Size / derived.Parts == part.Size) return;
        var check = plan.Inputs.First(i => i.Input == part.Input);
        throw Fail(loss, derived.Term, check, $"{derived.Symbol} = {derived.Parent} / {derived.Parts}", $"{part.Size}",
            $"{derived.Symbol} = {derived.Parent} / {derived.Parts} = {parent.Size} / {derived.Parts}",
            $"{derived.Symbol} = {part.Size}",
            $" {derived.Parent} = {parent.Size} comes from input '{parent.Input}', split into {derived.Parts} equal parts in term '{derived.Term}'.");
    }

    /// <summary>"D = 5 comes from input 'x' (why they must be equal)."</summary>
    private static string Origin(string symbol, Binding bound, InputCheck check, int dim)
    {
        var reason = check.DimReasons[dim] != "" ? check.DimReasons[dim] : bound.Reason;
        var why = reason != "" ? $" ({reason} needs them equal)"
            : symbol == TypeInference.Batch ? $" (all inputs share the batch dimension {TypeInference.Batch})"
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
