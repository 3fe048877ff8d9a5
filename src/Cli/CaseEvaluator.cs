using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace LossDsl.Cli;

/// <summary>Which code computes a loss: its generated code with fused kernels, without them, or the IR
/// interpreter running what its terms trace.</summary>
public enum EvaluationPath
{
    Fused,
    Unfused,
    Interpreted,
}

/// <summary>Runs a mapped LossDsl loss on a case's inputs in float64 and compares its value and gradients
/// with the reference's. Never throws: every problem becomes a failed <see cref="CaseOutcome"/>.</summary>
public static class CaseEvaluator
{
    /// <summary>Checks <paramref name="c"/> with <paramref name="mapped"/>.</summary>
    public static CaseOutcome Check(ReferenceCase c, MappedLoss mapped, double tolerance, bool unfused) =>
        Check(c, mapped, tolerance, unfused ? EvaluationPath.Unfused : EvaluationPath.Fused);

    /// <summary>Checks <paramref name="c"/> with <paramref name="mapped"/> along <paramref name="path"/>.</summary>
    public static CaseOutcome Check(ReferenceCase c, MappedLoss mapped, double tolerance, EvaluationPath path)
    {
        var name = c.Name;
        var label = mapped.Label;
        try
        {
            var comparisons = Compare(c, mapped, path, out var problem);
            if (problem is not null) return new CaseOutcome(name, Verdict.Fail, label, problem, comparisons);
            var worst = comparisons.OrderByDescending(x => double.IsNaN(x.Error) ? double.PositiveInfinity : x.Error).First();
            var error = CaseOutcome.FormatError(worst.Error);
            return worst.Error <= tolerance
                ? new CaseOutcome(name, Verdict.Pass, label, $"max rel err {error}", comparisons)
                : new CaseOutcome(name, Verdict.Fail, label,
                    $"max rel err {error} in {worst.What} (tolerance {CaseOutcome.FormatTolerance(tolerance)})", comparisons);
        }
        catch (CaseFormatException e)
        {
            return new CaseOutcome(name, Verdict.Fail, label, "malformed case: " + e.Message, Array.Empty<Comparison>(), e);
        }
        catch (Exception e)
        {
            return new CaseOutcome(name, Verdict.Fail, label, $"{e.GetType().Name}: {OneLine(e.Message)}", Array.Empty<Comparison>(), e);
        }
    }

    /// <summary>The loss value and every recorded gradient, compared; <paramref name="problem"/> says why the
    /// case fails before anything could be compared (a missing input, say).</summary>
    private static List<Comparison> Compare(ReferenceCase c, MappedLoss mapped, EvaluationPath path, out string? problem)
    {
        var comparisons = new List<Comparison>();
        var loss = path == EvaluationPath.Interpreted
            // Trace() runs the terms with the instance's hyper-parameters as constants.
            ? new Runtime.InterpretedLoss(mapped.Loss.Name, mapped.Loss.Trace())
            : mapped.Loss;
        loss.UseFusedKernels = path == EvaluationPath.Fused;
        if (mapped.Adapt is not null) return CompareAdapted(c, mapped, loss, out problem);

        // Which case input feeds each of the loss's inputs.
        var caseInputs = c.InputNames;
        var feeds = new Dictionary<string, string>(); // loss input → case input
        var missing = new List<string>();
        foreach (var input in loss.Inputs)
        {
            var caseName = mapped.InputNames.FirstOrDefault(p => p.Value == input.Name).Key;
            if (caseName is null) missing.Add($"'{input.Name}' (the reference map gives no case input for it)");
            else if (!caseInputs.Contains(caseName)) missing.Add($"'{caseName}' (LossDsl's '{input.Name}')");
            else feeds[input.Name] = caseName;
        }
        if (missing.Count > 0)
        {
            problem = $"the case lacks input {string.Join(", ", missing)}, which {loss.Name} needs";
            return comparisons;
        }

        var gradInputs = c.GradInputs;
        foreach (var g in gradInputs)
            if (!caseInputs.Contains(g)) throw new CaseFormatException($"grad_inputs lists \"{g}\", which is not one of its inputs");

        using var scope = NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>();
        var byCaseName = new Dictionary<string, Tensor>();
        foreach (var (lossName, caseName) in feeds)
        {
            var data = CaseTensors.Input(c, caseName);
            var t = data.ToTensor();
            if (gradInputs.Contains(caseName))
            {
                if (data.IsInteger) throw new CaseFormatException($"grad_inputs lists \"{caseName}\", an integer input");
                t.requires_grad_();
            }
            tensors[lossName] = t;
            byCaseName[caseName] = t;
        }

        using var result = loss.Compute(tensors);
        problem = CompareResult(c, loss, result, byCaseName, g => $"'{feeds.First(f => f.Value == g).Key}'", comparisons);
        return comparisons;
    }

    /// <summary>Every case input as a tensor (the grad inputs requiring gradients), the loss's inputs built from
    /// them by the map's adapter, then the value and gradients compared as in <see cref="Compare"/>.</summary>
    private static List<Comparison> CompareAdapted(ReferenceCase c, MappedLoss mapped, Runtime.ILoss loss, out string? problem)
    {
        var comparisons = new List<Comparison>();
        var gradInputs = c.GradInputs;
        using var scope = NewDisposeScope();
        var byCaseName = new Dictionary<string, Tensor>();
        foreach (var name in c.InputNames)
        {
            var data = CaseTensors.Input(c, name);
            var t = data.ToTensor();
            if (gradInputs.Contains(name))
            {
                if (data.IsInteger) throw new CaseFormatException($"grad_inputs lists \"{name}\", an integer input");
                t.requires_grad_();
            }
            byCaseName[name] = t;
        }
        using var result = loss.Compute(mapped.Adapt!(byCaseName));
        problem = CompareResult(c, loss, result, byCaseName, _ => "its adapted input", comparisons);
        return comparisons;
    }

    /// <summary>The value and the gradient of every grad input against the reference; a problem, or null.</summary>
    private static string? CompareResult(ReferenceCase c, Runtime.ILoss loss, Runtime.LossResult result,
        Dictionary<string, Tensor> byCaseName, Func<string, string> lossNameOf, List<Comparison> comparisons)
    {
        var total = result.Total;
        if (total.numel() != 1) return $"{loss.Name}'s total has shape {CaseTensors.Format(total.shape)}, not a single value";
        var value = total.detach().to(ScalarType.Float64).cpu().item<double>();
        var dtypeNote = total.dtype == ScalarType.Float64 ? "" : $" (computed in {total.dtype})";
        comparisons.Add(new Comparison("loss", RelativeError.OfValue(value, c.Loss),
            $"LossDsl {CaseParams.Format(value)}, reference {CaseParams.Format(c.Loss)}{dtypeNote}"));

        if (c.GradInputs.Count > 0 && total.requires_grad) total.backward();
        foreach (var g in c.GradInputs)
        {
            var input = byCaseName[g];
            var expected = CaseTensors.Grad(c, g, input.shape);
            var grad = input.grad;
            if (grad is null)
            {
                comparisons.Add(new Comparison("grad " + g, double.PositiveInfinity,
                    $"no gradient reached it: {loss.Name} treats {lossNameOf(g)} as a constant"));
                continue;
            }
            var actual = grad.detach().to(ScalarType.Float64).cpu().contiguous().data<double>().ToArray();
            var error = RelativeError.OfGradient(actual, expected);
            var scale = expected.Length == 0 ? 0 : expected.Max(Math.Abs);
            comparisons.Add(new Comparison("grad " + g, error, $"{expected.Length} entries, reference max |b_k| {CaseParams.Format(scale)}"));
        }
        return null;
    }

    /// <summary>A message on one line.</summary>
    internal static string OneLine(string message) =>
        string.Join(" ", message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
