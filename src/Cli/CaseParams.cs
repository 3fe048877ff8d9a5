using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;

namespace LossDsl.Cli;

/// <summary>A case's reference as a <see cref="ReferenceMap"/> entry sees it: its <c>params</c> (and PML
/// <c>defaults</c>), with helpers that read hyper-parameters and reject what the mapped loss does not
/// compute. A rejected reference throws <see cref="UnsupportedReferenceException"/>; a malformed one
/// <see cref="CaseFormatException"/>.</summary>
public sealed class CaseParams
{
    private readonly ReferenceCase _case;

    internal CaseParams(ReferenceCase c, string symbol)
    {
        _case = c;
        Symbol = symbol;
        Json = c.Params;
    }

    /// <summary><c>source.symbol</c>.</summary>
    public string Symbol { get; }

    /// <summary><see cref="Symbol"/> without its module path and any parenthesised remark: the class
    /// (<c>NTXentLoss</c>), or the class and method for a method (<c>DPOTrainer.dpo_loss</c>).</summary>
    public string ShortSymbol => Shorten(Symbol);

    /// <summary>As <see cref="ShortSymbol"/> for any symbol.</summary>
    public static string Shorten(string symbol)
    {
        var remark = symbol.IndexOf(" (", StringComparison.Ordinal);
        var parts = (remark >= 0 ? symbol[..remark] : symbol).Split('.');
        var last = parts[^1];
        return parts.Length >= 2 && last.Length > 0 && !char.IsUpper(last[0]) ? parts[^2] + "." + last : last;
    }

    /// <summary><c>params</c> (an object; empty when the case has none).</summary>
    public JsonElement Json { get; }

    /// <summary>The whole case (its recorded <c>debug</c> values: a reference's random draws, say).</summary>
    public ReferenceCase Case => _case;

    /// <summary>Whether <c>params</c> has <paramref name="name"/> (and it is not null).</summary>
    public bool Has(string name) => Json.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

    /// <summary>The number <c>params.name</c>, or <paramref name="defaultValue"/> (the reference's own
    /// default) when absent.</summary>
    /// <exception cref="CaseFormatException">Absent without a default, or not a number.</exception>
    public double Number(string name, double? defaultValue = null) => NumberIn(Json, "params." + name, name, defaultValue);

    /// <summary>The string <c>params.name</c>, or <paramref name="defaultValue"/> (the reference's own
    /// default) when absent.</summary>
    /// <exception cref="CaseFormatException">Absent without a default, or not a string.</exception>
    public string Text(string name, string? defaultValue = null)
    {
        if (!Json.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
            return defaultValue ?? throw new CaseFormatException($"params.{name} is missing (the reference has no default for it)");
        if (v.ValueKind != JsonValueKind.String)
            throw new CaseFormatException($"params.{name} should be a string, but is {CaseFile.Describe(v)}");
        return v.GetString()!;
    }

    /// <summary>Rejects (as not yet supported) any <c>params</c> entry other than <paramref name="known"/>:
    /// one the mapped loss has no counterpart for would change what the reference computes.</summary>
    public void AllowOnly(params string[] known)
    {
        var unknown = Json.EnumerateObject().Select(p => p.Name).Where(n => !known.Contains(n)).ToList();
        if (unknown.Count > 0)
            throw Unsupported($"{ShortSymbol} with {string.Join(", ", unknown.Select(n => "params." + n))}");
    }

    /// <summary>Rejects (as not yet supported) a <c>params.name</c> that is present and differs from
    /// <paramref name="value"/>, the only value the mapped loss computes.</summary>
    public void RequireIfPresent(string name, double value)
    {
        if (!Has(name)) return;
        var actual = Number(name);
        if (actual != value) throw Unsupported($"{ShortSymbol} with {name} = {Format(actual)} (LossDsl computes {name} = {Format(value)})");
    }

    /// <summary>As <see cref="RequireIfPresent(string, double)"/> for a boolean or string entry.</summary>
    public void RequireIfPresent(string name, JsonValueKind kind, string raw)
    {
        if (!Json.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return;
        var actual = v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText();
        if (v.ValueKind != kind || actual != raw)
            throw Unsupported($"{ShortSymbol} with {name} = {v.GetRawText()} (LossDsl computes {name} = {raw})");
    }

    /// <summary>Rejects (as not yet supported) a pytorch-metric-learning case whose recorded
    /// <c>defaults.&lt;key&gt;</c> distance is not <paramref name="distanceClass"/> with L2-normalised
    /// embeddings, p = 2 and the given power. Cases without <c>defaults</c> are taken to use the library's defaults.</summary>
    public void RequirePmlDistance(string distanceClass, string key = "distance", double requiredPower = 1)
    {
        if (_case.Defaults is not { } defaults || !defaults.TryGetProperty(key, out var d) || d.ValueKind != JsonValueKind.Object) return;
        var cls = d.TryGetProperty("class", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : "?";
        var normalized = !d.TryGetProperty("normalize_embeddings", out var n) || n.ValueKind == JsonValueKind.True;
        var p = d.TryGetProperty("p", out _) ? NumberIn(d, $"defaults.{key}.p", "p", null) : 2;
        var power = d.TryGetProperty("power", out _) ? NumberIn(d, $"defaults.{key}.power", "power", null) : requiredPower;
        if (cls != distanceClass || !normalized || p != 2 || power != requiredPower)
            throw Unsupported($"{ShortSymbol} with {key} {cls}(normalize_embeddings={(normalized ? "True" : "False")}, p={Format(p)}, power={Format(power)})"
                              + $" (LossDsl computes {distanceClass} of L2-normalised embeddings, power {Format(requiredPower)})");
    }

    /// <summary>Rejects (as not yet supported) a pytorch-metric-learning case whose recorded
    /// <c>defaults.reducer</c> is not <paramref name="reducerClass"/>.</summary>
    public void RequirePmlReducer(string reducerClass)
    {
        if (_case.Defaults is not { } defaults || !defaults.TryGetProperty("reducer", out var r) || r.ValueKind != JsonValueKind.Object) return;
        var cls = ClassOf(r);
        if (cls != reducerClass) throw Unsupported($"{ShortSymbol} with reducer {cls} (LossDsl reduces as {reducerClass})");
    }

    /// <summary>Rejects (as not yet supported) a pytorch-metric-learning case with several sub-losses whose
    /// recorded <c>defaults.reducer</c> is not a <c>MultipleReducers</c> reducing each of
    /// <paramref name="subLosses"/> with <paramref name="reducerClass"/> (and the results summed). A recorded
    /// reducer that omits the sub-reducers is taken to use the library's defaults.</summary>
    public void RequirePmlSubReducers(string reducerClass, params string[] subLosses)
    {
        if (_case.Defaults is not { } defaults || !defaults.TryGetProperty("reducer", out var r) || r.ValueKind != JsonValueKind.Object) return;
        var cls = ClassOf(r);
        if (cls != "MultipleReducers")
            throw Unsupported($"{ShortSymbol} with reducer {cls} (LossDsl reduces each sub-loss as {reducerClass})");
        if (!r.TryGetProperty("reducers", out var subs) || subs.ValueKind != JsonValueKind.Object) return;
        foreach (var sub in subs.EnumerateObject())
        {
            if (!subLosses.Contains(sub.Name))
                throw Unsupported($"{ShortSymbol} with a reducer for sub-loss '{sub.Name}'");
            var subClass = sub.Value.ValueKind == JsonValueKind.Object ? ClassOf(sub.Value) : "?";
            if (subClass != reducerClass)
                throw Unsupported($"{ShortSymbol} with reducer {subClass} for {sub.Name} (LossDsl reduces it as {reducerClass})");
        }
    }

    private static string ClassOf(JsonElement obj) =>
        obj.TryGetProperty("class", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : "?";

    /// <summary>A "not yet supported" result for this reference.</summary>
    public UnsupportedReferenceException Unsupported(string reason) => new(reason);

    /// <summary>A number as the shortest text that round-trips.</summary>
    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    internal static double NumberIn(JsonElement obj, string path, string name, double? defaultValue)
    {
        if (!obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
            return defaultValue ?? throw new CaseFormatException($"{path} is missing (the reference has no default for it)");
        if (v.ValueKind is JsonValueKind.True or JsonValueKind.False) return v.ValueKind == JsonValueKind.True ? 1 : 0;
        return CaseTensors.ReadDouble(v, path);
    }
}

/// <summary>The reference (or these parameters of it) has no LossDsl counterpart yet.</summary>
public sealed class UnsupportedReferenceException(string reason) : Exception(reason)
{
    /// <summary>What is not supported, e.g. <c>RKD angle term</c>.</summary>
    public string Reason { get; } = reason;
}
