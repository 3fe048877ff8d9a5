using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using static TorchSharp.torch;

namespace LossDsl.Runtime;

/// <summary>One recorded training step: every term's raw and weighted value and the total.</summary>
/// <param name="Step">The step number, from 1.</param>
/// <param name="Epoch">The epoch it belongs to, as given to <see cref="LossHistory.Record(LossResult, int)"/>.</param>
/// <param name="Total">The loss's total (the sum of the weighted values).</param>
/// <param name="Raw">Each term's value before weighting, in <see cref="LossHistory.Terms"/> order.</param>
/// <param name="Weighted">Each term's weighted value, in <see cref="LossHistory.Terms"/> order.</param>
public sealed record LossStep(int Step, int Epoch, double Total, IReadOnlyList<double> Raw, IReadOnlyList<double> Weighted);

/// <summary>The mean over one epoch's steps of every term's raw and weighted value and of the total.</summary>
public sealed record LossEpoch(int Epoch, int Steps, double Total, IReadOnlyList<double> Raw, IReadOnlyList<double> Weighted);

/// <summary>Every term's raw and weighted value per training step, read from the <see cref="LossResult"/> of each
/// <c>Compute</c>: any training loop gets per-term curves by calling <see cref="Record(LossResult, int)"/> once a
/// step. Per-epoch means, a one-line summary and CSV export.</summary>
/// <example><code>
/// var history = new LossHistory();
/// using var result = loss.Compute(logits, labels);
/// result.Total.backward();
/// history.Record(result, epoch);
/// ...
/// history.WriteCsv("loss-history.csv");
/// </code></example>
public sealed class LossHistory
{
    private readonly List<string> _terms = new();
    private readonly List<double> _weights = new();
    private readonly List<LossStep> _steps = new();

    /// <summary>The term names, in the order of the first recorded result.</summary>
    public IReadOnlyList<string> Terms => _terms;

    /// <summary>Each term's weight, in <see cref="Terms"/> order.</summary>
    public IReadOnlyList<double> Weights => _weights;

    /// <summary>Every recorded step, in order.</summary>
    public IReadOnlyList<LossStep> Steps => _steps;

    /// <summary>Records one step: reads the total and every term's raw and weighted value (one host copy each;
    /// the tensors are neither kept nor disposed). The first result fixes the terms; later results must have
    /// the same ones.</summary>
    /// <exception cref="ArgumentException">The result's terms differ from the first result's.</exception>
    public LossStep Record(LossResult result, int epoch)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (_terms.Count == 0 && _steps.Count == 0)
        {
            _terms.AddRange(result.Terms.Select(t => t.Name));
            _weights.AddRange(result.Terms.Select(t => t.Weight));
        }
        else if (!result.Terms.Select(t => t.Name).SequenceEqual(_terms))
            throw new ArgumentException(
                $"This history records the terms {string.Join(", ", _terms)}; the result has {string.Join(", ", result.Terms.Select(t => t.Name))}. Use one LossHistory per loss.",
                nameof(result));
        var step = new LossStep(_steps.Count + 1, epoch, Value(result.Total),
            result.Terms.Select(t => Value(t.Raw)).ToArray(), result.Terms.Select(t => Value(t.Weighted)).ToArray());
        _steps.Add(step);
        return step;
    }

    /// <summary>The last recorded step, or null before the first.</summary>
    public LossStep? Last => _steps.Count == 0 ? null : _steps[^1];

    /// <summary>The mean of every recorded epoch, in order.</summary>
    public IReadOnlyList<LossEpoch> Epochs() =>
        _steps.GroupBy(s => s.Epoch).Select(g => Mean(g.Key, g.ToList())).ToList();

    /// <summary>The mean of one epoch's steps, or null if none was recorded.</summary>
    public LossEpoch? Epoch(int epoch)
    {
        var steps = _steps.Where(s => s.Epoch == epoch).ToList();
        return steps.Count == 0 ? null : Mean(epoch, steps);
    }

    /// <summary>One line with the epoch's mean total and every term's mean raw value (and its weighted value when
    /// the weight is not 1): <c>epoch 3: total 0.4121 | Hard 0.3012 | Soft 0.1232 (×0.9 = 0.1109)</c>.</summary>
    public string FormatEpoch(int epoch)
    {
        var mean = Epoch(epoch);
        if (mean is null) return $"epoch {epoch}: no steps";
        var text = new StringBuilder($"epoch {epoch}: total {Short(mean.Total)}");
        for (var k = 0; k < _terms.Count; k++)
        {
            text.Append($" | {_terms[k]} {Short(mean.Raw[k])}");
            if (_weights[k] != 1) text.Append($" (×{_weights[k].ToString("G4", CultureInfo.InvariantCulture)} = {Short(mean.Weighted[k])})");
        }
        return text.ToString();
    }

    /// <summary>Writes one row per step: <c>step,epoch,total,&lt;term&gt;_raw,&lt;term&gt;_weighted,...</c>
    /// (invariant culture, round-trip precision).</summary>
    public void WriteCsv(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write("step,epoch,total");
        foreach (var term in _terms) writer.Write($",{Csv(term + "_raw")},{Csv(term + "_weighted")}");
        writer.Write('\n');
        foreach (var step in _steps)
        {
            writer.Write(FormattableString.Invariant($"{step.Step},{step.Epoch},{step.Total:R}"));
            for (var k = 0; k < _terms.Count; k++)
                writer.Write(FormattableString.Invariant($",{step.Raw[k]:R},{step.Weighted[k]:R}"));
            writer.Write('\n');
        }
    }

    /// <summary>Writes the CSV of <see cref="WriteCsv(TextWriter)"/> to <paramref name="path"/> (creating its folder).</summary>
    public void WriteCsv(string path)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
        WriteCsv(writer);
    }

    private LossEpoch Mean(int epoch, IReadOnlyList<LossStep> steps) => new(
        epoch, steps.Count, steps.Average(s => s.Total),
        Enumerable.Range(0, _terms.Count).Select(k => steps.Average(s => s.Raw[k])).ToArray(),
        Enumerable.Range(0, _terms.Count).Select(k => steps.Average(s => s.Weighted[k])).ToArray());

    /// <summary>Four decimals, or three significant digits for values under 0.001 (PKT's are ~1e-5).</summary>
    private static string Short(double value) =>
        value.ToString(value != 0 && Math.Abs(value) < 1e-3 ? "0.###E+0" : "F4", CultureInfo.InvariantCulture);

    private static string Csv(string field) =>
        field.IndexOfAny(new[] { ',', '"', '\n', '\r' }) < 0 ? field : "\"" + field.Replace("\"", "\"\"") + "\"";

    /// <summary>A 0-d tensor's value as a double, whatever its floating dtype.</summary>
    private static double Value(Tensor t) => t.dtype switch
    {
        ScalarType.Float64 => t.item<double>(),
        ScalarType.Float32 => t.item<float>(),
        _ => ConvertedValue(t),
    };

    private static double ConvertedValue(Tensor t)
    {
        using var detached = t.detach();
        using var converted = detached.to_type(ScalarType.Float64);
        return converted.item<double>();
    }
}
