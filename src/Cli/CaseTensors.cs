using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using static TorchSharp.torch;

namespace LossDsl.Cli;

/// <summary>Reads a case's inputs and gradients (nested JSON lists) as float64 or int64 data. The shape
/// is the case's <c>input_shapes</c> entry where it has one (checked against the nesting), else the nesting's;
/// the dtype is the <c>input_dtypes</c> entry: integer dtypes are read as int64, floating ones as float64
/// (the check runs in float64). Non-finite values may be written "NaN", "Infinity", "-Infinity" (or "nan", "inf").</summary>
public static class CaseTensors
{
    /// <summary>Values and shape of one nested list.</summary>
    public sealed record Data(long[] Shape, double[]? Floats, long[]? Integers)
    {
        /// <summary>Whether the data are integers (read as int64).</summary>
        public bool IsInteger => Integers is not null;

        /// <summary>A new tensor holding the data (float64 or int64).</summary>
        public Tensor ToTensor() => Integers is not null
            ? tensor(Integers, Shape, ScalarType.Int64)
            : tensor(Floats!, Shape, ScalarType.Float64);
    }

    /// <summary>Input <paramref name="name"/> of the case.</summary>
    /// <exception cref="CaseFormatException">It is missing or malformed.</exception>
    public static Data Input(ReferenceCase c, string name)
    {
        var inputs = c.Inputs;
        if (!inputs.TryGetProperty(name, out var nested) || nested.ValueKind == JsonValueKind.Null)
            throw c.Malformed($"it has no input \"{name}\"");
        var integer = IsIntegerDtype(c, name, nested);
        return Read(nested, $"inputs.{name}", DeclaredShape(c, name), integer);
    }

    /// <summary>A recorded <c>debug</c> value of the case (a reference's random draws, say) as a tensor.</summary>
    /// <exception cref="CaseFormatException">It is missing or malformed.</exception>
    public static Tensor Debug(ReferenceCase c, string name, bool integer)
    {
        var debug = c.Field(c.Root, "debug", JsonValueKind.Object);
        if (!debug.TryGetProperty(name, out var nested) || nested.ValueKind == JsonValueKind.Null)
            throw c.Malformed($"its debug has no \"{name}\"");
        return Read(nested, $"debug.{name}", null, integer).ToTensor();
    }

    /// <summary>The reference gradient of input <paramref name="name"/>, which must have shape <paramref name="shape"/>.</summary>
    /// <exception cref="CaseFormatException">It is missing, malformed or of another shape.</exception>
    public static double[] Grad(ReferenceCase c, string name, long[] shape)
    {
        var grads = c.Field(c.Root, "grads", JsonValueKind.Object);
        if (!grads.TryGetProperty(name, out var nested) || nested.ValueKind == JsonValueKind.Null)
            throw c.Malformed($"grad_inputs lists \"{name}\" but grads has no entry for it");
        return Read(nested, $"grads.{name}", shape, integer: false).Floats!;
    }

    /// <summary>A number, or one of the strings for a non-finite value.</summary>
    /// <exception cref="CaseFormatException">Anything else.</exception>
    public static double ReadDouble(JsonElement e, string what)
    {
        if (e.ValueKind == JsonValueKind.Number)
        {
            if (e.TryGetDouble(out var d)) return d;
        }
        else if (e.ValueKind == JsonValueKind.String)
        {
            switch (e.GetString()!.Trim().ToLowerInvariant())
            {
                case "nan": return double.NaN;
                case "inf" or "+inf" or "infinity" or "+infinity": return double.PositiveInfinity;
                case "-inf" or "-infinity": return double.NegativeInfinity;
            }
        }
        throw new CaseFormatException($"{what} should be a number, but is {CaseFile.Describe(e)}");
    }

    private static long ReadInteger(JsonElement e, string what)
    {
        if (e.ValueKind == JsonValueKind.Number)
        {
            if (e.TryGetInt64(out var i)) return i;
            if (e.TryGetDouble(out var d) && Math.Floor(d) == d && Math.Abs(d) < 9.2e18) return (long)d;
        }
        throw new CaseFormatException($"{what} should be an integer, but is {CaseFile.Describe(e)}");
    }

    /// <summary>Whether input <paramref name="name"/> is read as int64: from <c>input_dtypes</c>, else
    /// (no dtype recorded) when every value is written as an integer.</summary>
    private static bool IsIntegerDtype(ReferenceCase c, string name, JsonElement nested)
    {
        if (c.Root.TryGetProperty("input_dtypes", out var dtypes) && dtypes.ValueKind == JsonValueKind.Object
            && dtypes.TryGetProperty(name, out var dtype) && dtype.ValueKind == JsonValueKind.String)
        {
            var text = dtype.GetString()!.Trim().ToLowerInvariant();
            if (text.StartsWith("torch.", StringComparison.Ordinal)) text = text["torch.".Length..];
            return text switch
            {
                "int64" or "int32" or "int16" or "int8" or "uint8" or "long" or "int" => true,
                "float64" or "float32" or "float16" or "bfloat16" or "double" or "float" or "half" => false,
                _ => throw c.Malformed($"input_dtypes.{name} is \"{dtype.GetString()}\", which is neither an integer nor a floating-point dtype"),
            };
        }
        var leaves = new List<JsonElement>();
        Leaves(nested, leaves);
        return leaves.Count > 0 && leaves.All(l => l.ValueKind == JsonValueKind.Number && l.TryGetInt64(out _)
                                                   && !l.GetRawText().Contains('.') && !l.GetRawText().Contains('e', StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The <c>input_shapes</c> entry of input <paramref name="name"/>, or null when there is none.</summary>
    private static long[]? DeclaredShape(ReferenceCase c, string name)
    {
        if (!c.Root.TryGetProperty("input_shapes", out var shapes) || shapes.ValueKind != JsonValueKind.Object
            || !shapes.TryGetProperty(name, out var shape) || shape.ValueKind == JsonValueKind.Null)
            return null;
        if (shape.ValueKind != JsonValueKind.Array)
            throw c.Malformed($"input_shapes.{name} should be a list of sizes, but is {CaseFile.Describe(shape)}");
        return shape.EnumerateArray().Select(d =>
        {
            var size = ReadInteger(d, $"input_shapes.{name}");
            return size >= 0 ? size : throw c.Malformed($"input_shapes.{name} has a negative size {size}");
        }).ToArray();
    }

    /// <summary>Reads a (rectangular) nested list. With <paramref name="declared"/>, the nesting must have that
    /// shape, or be a flat list (or empty) with that many values.</summary>
    private static Data Read(JsonElement nested, string what, long[]? declared, bool integer)
    {
        var shape = NestingShape(nested);
        var leaves = new List<JsonElement>();
        CheckAndFlatten(nested, shape, 0, what, "", leaves);
        if (declared is not null && !declared.SequenceEqual(shape))
        {
            var declaredCount = declared.Aggregate(1L, (a, b) => a * b);
            var flat = shape.Length <= 1;
            if (!flat || declaredCount != leaves.Count)
                throw new CaseFormatException(
                    $"{what} has shape {Format(shape)} ({leaves.Count} values), but its recorded shape is {Format(declared)}");
            shape = declared;
        }
        return integer
            ? new Data(shape, null, leaves.Select((l, i) => ReadInteger(l, $"{what}, value {i}")).ToArray())
            : new Data(shape, leaves.Select((l, i) => ReadDouble(l, $"{what}, value {i}")).ToArray(), null);
    }

    /// <summary>The shape the first element at every depth gives.</summary>
    private static long[] NestingShape(JsonElement nested)
    {
        var shape = new List<long>();
        for (var e = nested; e.ValueKind == JsonValueKind.Array; )
        {
            var length = e.GetArrayLength();
            shape.Add(length);
            if (length == 0) break;
            e = e[0];
        }
        return shape.ToArray();
    }

    private static void CheckAndFlatten(JsonElement e, long[] shape, int depth, string what, string at, List<JsonElement> into)
    {
        if (depth == shape.Length)
        {
            if (e.ValueKind == JsonValueKind.Array)
                throw new CaseFormatException($"{what}{at} is a list where the nesting elsewhere has a number (the lists are ragged)");
            into.Add(e);
            return;
        }
        if (e.ValueKind != JsonValueKind.Array)
            throw new CaseFormatException($"{what}{at} is {CaseFile.Describe(e)} where a list of {shape[depth]} was expected (the lists are ragged)");
        if (e.GetArrayLength() != shape[depth])
            throw new CaseFormatException($"{what}{at} has {e.GetArrayLength()} entries, but its sibling lists have {shape[depth]} (the lists are ragged)");
        var i = 0;
        foreach (var item in e.EnumerateArray())
            CheckAndFlatten(item, shape, depth + 1, what, $"{at}[{i++}]", into);
    }

    private static void Leaves(JsonElement e, List<JsonElement> into)
    {
        if (e.ValueKind != JsonValueKind.Array) { into.Add(e); return; }
        foreach (var item in e.EnumerateArray()) Leaves(item, into);
    }

    /// <summary>A shape as <c>[12, 5]</c>.</summary>
    public static string Format(IEnumerable<long> shape) =>
        "[" + string.Join(", ", shape.Select(s => s.ToString(CultureInfo.InvariantCulture))) + "]";
}
