using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Runtime;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace LossDsl.Tests.Oracle;

/// <summary>Runs a loss on an oracle case and measures it against the reference.</summary>
public static class OracleRun
{
    /// <summary>The float64 tolerance of every parity test, on the per-element relative error of
    /// <see cref="Tolerance.MaxRelativeError"/>.</summary>
    public const double Tol = 1e-9;

    /// <summary>(what, error) for the value ("loss") and each gradient ("grad f_s") of a loss on a case:
    /// <paramref name="names"/> maps the loss's input names to the case's; <paramref name="perturb"/> alters the
    /// reference by the factor <c>1 + perturb</c> (for the sanity check).</summary>
    public static List<(string What, double Error)> Errors(OracleCase c, IReadOnlyDictionary<string, string> names,
        Func<IReadOnlyDictionary<string, Tensor>, LossResult> compute, double perturb = 0)
    {
        using var scope = NewDisposeScope();
        var byCase = names.Values.Distinct().ToDictionary(n => n, n => c.Input(n, requiresGrad: c.GradInputs.Contains(n)));
        using var result = compute(names.ToDictionary(p => p.Key, p => byCase[p.Value]));
        result.Total.backward();

        var errors = new List<(string, double)> { ("loss", Tolerance.RelativeError(result.Total.item<double>(), c.Loss * (1 + perturb))) };
        foreach (var name in c.GradInputs)
            errors.Add(("grad " + name, Tolerance.MaxRelativeError(byCase[name].grad!, c.Grad(name) * (1 + perturb))));
        return errors;
    }

    /// <summary>Logs every error and fails on the worst one above <see cref="Tol"/>.</summary>
    public static void Check(OracleCase c, List<(string What, double Error)> errors, ITestOutputHelper output)
    {
        foreach (var (what, error) in errors) output.WriteLine($"{c.Name} {what}: max relative error {error:E2}");
        var worst = errors.MaxBy(e => e.Error);
        Assert.True(worst.Error <= Tol, $"{c.Name}: {worst.What} is off by {worst.Error:E2} relative (tolerance {Tol:E0}).");
    }
}
