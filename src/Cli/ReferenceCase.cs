using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;

namespace LossDsl.Cli;

/// <summary>One case of a case file, read on demand: every accessor checks the fields it reads and
/// throws <see cref="CaseFormatException"/> (never anything else) when they are missing or malformed.
/// Tensors are read by <see cref="CaseTensors"/>.</summary>
public sealed class ReferenceCase
{
    internal ReferenceCase(JsonElement json, int index)
    {
        Json = json;
        Index = index;
    }

    /// <summary>The case as it is in the file.</summary>
    public JsonElement Json { get; }

    /// <summary>The case's position in the file, from 0.</summary>
    public int Index { get; }

    /// <summary>The case's <c>name</c>, or <c>case #i</c> (from 1) when it has none.</summary>
    public string Name =>
        Json.ValueKind == JsonValueKind.Object && Json.TryGetProperty("name", out var n)
        && n.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(n.GetString())
            ? n.GetString()!
            : $"case #{Index + 1}";

    /// <summary><c>source.symbol</c>: the reference implementation.</summary>
    public string Symbol
    {
        get
        {
            var source = Field(Root, "source", JsonValueKind.Object);
            var symbol = Field(source, "symbol", JsonValueKind.String, "source.symbol").GetString()!;
            return string.IsNullOrWhiteSpace(symbol) ? throw Malformed("source.symbol is empty") : symbol;
        }
    }

    /// <summary><c>params</c>, the reference's hyper-parameters (empty when the case has none).</summary>
    public JsonElement Params =>
        Root.TryGetProperty("params", out var p) && p.ValueKind != JsonValueKind.Null
            ? p.ValueKind == JsonValueKind.Object ? p : throw Malformed($"params should be an object, but is {CaseFile.Describe(p)}")
            : EmptyObject;

    /// <summary><c>defaults</c> (pytorch-metric-learning cases): the distance and reducer in use, when recorded.</summary>
    public JsonElement? Defaults =>
        Root.TryGetProperty("defaults", out var d) && d.ValueKind == JsonValueKind.Object ? d : null;

    /// <summary>The names of the case's <c>inputs</c>.</summary>
    public IReadOnlyList<string> InputNames => Inputs.EnumerateObject().Select(p => p.Name).ToList();

    /// <summary><c>inputs</c>: name → nested lists.</summary>
    public JsonElement Inputs => Field(Root, "inputs", JsonValueKind.Object);

    /// <summary>The inputs whose gradients the case records: <c>grad_inputs</c>, or the names in
    /// <c>grads</c> when that list is absent.</summary>
    public IReadOnlyList<string> GradInputs
    {
        get
        {
            if (Root.TryGetProperty("grad_inputs", out var list) && list.ValueKind != JsonValueKind.Null)
            {
                if (list.ValueKind != JsonValueKind.Array) throw Malformed($"grad_inputs should be a list of names, but is {CaseFile.Describe(list)}");
                return list.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String
                    ? e.GetString()!
                    : throw Malformed($"grad_inputs should hold names, but holds {CaseFile.Describe(e)}")).ToList();
            }
            return Root.TryGetProperty("grads", out var grads) && grads.ValueKind == JsonValueKind.Object
                ? grads.EnumerateObject().Select(p => p.Name).ToList()
                : Array.Empty<string>();
        }
    }

    /// <summary>The reference loss value, <c>loss</c>.</summary>
    public double Loss
    {
        get
        {
            if (!Root.TryGetProperty("loss", out var loss)) throw Malformed("it has no \"loss\" value");
            return CaseTensors.ReadDouble(loss, "loss");
        }
    }

    /// <summary>The case itself, checked to be an object.</summary>
    internal JsonElement Root => Json.ValueKind == JsonValueKind.Object
        ? Json
        : throw Malformed($"a case should be an object, but this is {CaseFile.Describe(Json)}");

    /// <summary>A <see cref="CaseFormatException"/> about this case.</summary>
    internal CaseFormatException Malformed(string what) => new(what);

    /// <summary>Field <paramref name="name"/> of <paramref name="parent"/>, which must be of kind <paramref name="kind"/>.</summary>
    internal JsonElement Field(JsonElement parent, string name, JsonValueKind kind, string? path = null)
    {
        path ??= name;
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            throw Malformed($"it has no \"{path}\"");
        if (value.ValueKind != kind)
            throw Malformed($"{path} should be {KindName(kind)}, but is {CaseFile.Describe(value)}");
        return value;
    }

    private static string KindName(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        _ => kind.ToString(),
    };

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();
}

/// <summary>A case lacks a field or holds a malformed one; the message says which and how.</summary>
public sealed class CaseFormatException(string message) : Exception(message);
