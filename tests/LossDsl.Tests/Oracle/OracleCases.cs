using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace LossDsl.Tests.Oracle;

/// <summary>One reference case of <c>cases.json</c> (copied from /work/shared/oracle; its
/// CONVENTIONS.md says what each reference computes): inputs, loss value and gradients, all float64
/// except integer labels.</summary>
public sealed class OracleCase
{
    private readonly JsonElement _json;

    private OracleCase(JsonElement json) => _json = json;

    public string Name => _json.GetProperty("name").GetString()!;

    /// <summary>The reference loss value.</summary>
    public double Loss => _json.GetProperty("loss").GetDouble();

    /// <summary>The inputs that have a reference gradient.</summary>
    public IReadOnlyList<string> GradInputs =>
        _json.GetProperty("grad_inputs").EnumerateArray().Select(e => e.GetString()!).ToList();

    /// <summary>A numeric entry of the case's <c>params</c>.</summary>
    public double Param(string name) => _json.GetProperty("params").GetProperty(name).GetDouble();

    /// <summary>A fresh tensor for input <paramref name="name"/>: Int64 for integer inputs, Float64 otherwise.</summary>
    public Tensor Input(string name, bool requiresGrad = false)
    {
        var dtype = _json.GetProperty("input_dtypes").GetProperty(name).GetString();
        var t = ToTensor(_json.GetProperty("inputs").GetProperty(name), dtype == "int64" ? ScalarType.Int64 : ScalarType.Float64);
        return requiresGrad ? t.requires_grad_() : t;
    }

    /// <summary>The reference gradient of the loss with respect to input <paramref name="name"/>.</summary>
    public Tensor Grad(string name) => ToTensor(_json.GetProperty("grads").GetProperty(name), ScalarType.Float64);

    /// <summary>The case named <paramref name="name"/>.</summary>
    public static OracleCase Get(string name) =>
        All.FirstOrDefault(c => c.Name == name)
        ?? throw new KeyNotFoundException($"No oracle case '{name}'.");

    /// <summary>Every case, in file order.</summary>
    public static IReadOnlyList<OracleCase> All => Cases.Value;

    private static readonly Lazy<IReadOnlyList<OracleCase>> Cases = new(() =>
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Oracle", "cases.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        // Clone so the elements outlive the document.
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => new OracleCase(c.Clone())).ToList();
    });

    /// <summary>A nested JSON list as a tensor: the shape from the nesting, the values flattened in order.</summary>
    private static Tensor ToTensor(JsonElement nested, ScalarType dtype)
    {
        var shape = new List<long>();
        for (var e = nested; e.ValueKind == JsonValueKind.Array; e = e.GetArrayLength() > 0 ? e[0] : default)
        {
            shape.Add(e.GetArrayLength());
            if (e.GetArrayLength() == 0) break;
        }
        var values = new List<JsonElement>();
        Flatten(nested, values);
        return dtype == ScalarType.Int64
            ? tensor(values.Select(v => v.GetInt64()).ToArray(), shape.ToArray(), ScalarType.Int64)
            : tensor(values.Select(v => v.GetDouble()).ToArray(), shape.ToArray(), ScalarType.Float64);
    }

    private static void Flatten(JsonElement e, List<JsonElement> into)
    {
        if (e.ValueKind != JsonValueKind.Array) { into.Add(e); return; }
        foreach (var item in e.EnumerateArray()) Flatten(item, into);
    }
}
