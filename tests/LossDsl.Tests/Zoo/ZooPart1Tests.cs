using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Cli;
using LossDsl.Runtime;
using LossDsl.Zoo;
using TorchSharp;
using static TorchSharp.torch;

namespace LossDsl.Tests.Zoo;

/// <summary>Each loss of the relational zoo, part 1, against an independent hand-written TorchSharp formulation (value
/// and every gradient, on the generated code fused and unfused), against float64 central finite differences of its own
/// value, and on its edge case (one class, no positives, N = 1 or 2), where it must give the value its doc promises,
/// finite, with a NaN-free gradient.</summary>
public sealed class ZooPart1Tests
{
    private const double Tolerance = 1e-9;

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var c in ZooPart1Cases.All) data.Add(c.Name);
        return data;
    }

    public static TheoryData<string, EvaluationPath> NamesAndPaths()
    {
        var data = new TheoryData<string, EvaluationPath>();
        foreach (var c in ZooPart1Cases.All)
        {
            data.Add(c.Name, EvaluationPath.Fused);
            data.Add(c.Name, EvaluationPath.Unfused);
        }
        return data;
    }

    private static ZooCase Case(string name) => ZooPart1Cases.All.Single(c => c.Name == name);

    /// <summary>Fresh copies of the inputs, with their own gradients.</summary>
    private static Dictionary<string, Tensor> Copy(Dictionary<string, Tensor> inputs) =>
        inputs.ToDictionary(p => p.Key, p => p.Value.is_floating_point()
            ? p.Value.detach().clone().requires_grad_(p.Value.requires_grad)
            : p.Value.clone());

    private static double Value(ILoss loss, ZooCase c, IReadOnlyDictionary<string, Tensor> inputs)
    {
        using var result = loss.Compute(inputs);
        return (c.Term is null ? result.Total : result[c.Term].Raw).item<double>();
    }

    [Theory]
    [MemberData(nameof(NamesAndPaths))]
    public void Matches_the_hand_written_formulation(string name, EvaluationPath path)
    {
        using var scope = NewDisposeScope();
        var c = Case(name);
        foreach (var seed in new[] { 1, 2 })
        {
            var inputs = c.Inputs(seed);
            var loss = c.Create();
            LossPaths.UseFused(loss, path == EvaluationPath.Fused);
            var ours = Copy(inputs);
            using var result = loss.Compute(ours);
            var value = c.Term is null ? result.Total : result[c.Term].Raw;
            value.backward();

            var theirs = Copy(inputs);
            var expected = c.Reference(loss, theirs);
            if (expected.requires_grad) expected.backward();

            Assert.True(Math.Abs(expected.item<double>()) > 1e-6, $"{name}: the reference case should not be trivially 0");
            Assert.True(Oracle.Tolerance.RelativeError(value.item<double>(), expected.item<double>()) <= Tolerance,
                $"{name} (seed {seed}): {value.item<double>():R} vs {expected.item<double>():R}");
            foreach (var (input, tensor) in ours)
            {
                if (!tensor.requires_grad) continue;
                var reference = theirs[input].grad ?? zeros_like(theirs[input]);
                var grad = tensor.grad ?? zeros_like(tensor);
                // Entries a million times smaller than the largest are compared against that scale: there the
                // reference's own rounding shows (F.cross_entropy's softmax − one-hot cancels at a row whose target has
                // p ≈ 1 − 1e-9; CosFace's rows of 1e-10 differ by 5e-17 from the split form, which computes 1 − p directly).
                var floor = Math.Max(1e-12, 1e-6 * reference.abs().max().item<double>());
                Assert.True(Oracle.Tolerance.Matches(grad, reference, Tolerance, out var error, floor), $"{name} (seed {seed}): gradient of {input} off by {error:E2}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Gradient_matches_finite_differences(string name)
    {
        using var scope = NewDisposeScope();
        var c = Case(name);
        var loss = c.Create();
        var inputs = Copy(c.Inputs(3));
        using (var result = loss.Compute(inputs)) (c.Term is null ? result.Total : result[c.Term].Raw).backward();

        const double h = 1e-6;
        var random = new Random(5);
        var checkedAny = false;
        foreach (var (input, tensor) in inputs)
        {
            if (!tensor.requires_grad) continue;
            var grad = (tensor.grad ?? zeros_like(tensor)).reshape(-1).data<double>().ToArray();
            var flat = tensor.detach().reshape(-1).data<double>().ToArray();
            foreach (var k in Enumerable.Range(0, flat.Length).OrderBy(_ => random.Next()).Take(8))
            {
                double At(double delta)
                {
                    var moved = (double[])flat.Clone();
                    moved[k] += delta;
                    var shifted = new Dictionary<string, Tensor>(inputs) { [input] = torch.tensor(moved, float64).reshape(tensor.shape) };
                    return Value(loss, c, shifted);
                }
                var numeric = (At(h) - At(-h)) / (2 * h);
                Assert.True(Math.Abs(numeric - grad[k]) <= 1e-6 + 1e-5 * Math.Abs(numeric),
                    $"{name}: ∂/∂{input}[{k}] = {grad[k]:R} by autograd, {numeric:R} by finite differences");
                checkedAny = true;
            }
        }
        Assert.True(checkedAny, $"{name} differentiates no input");
    }

    [Theory]
    [MemberData(nameof(NamesAndPaths))]
    public void Edge_case_has_its_documented_finite_value(string name, EvaluationPath path)
    {
        using var scope = NewDisposeScope();
        var c = Case(name);
        var loss = c.Create();
        LossPaths.UseFused(loss, path == EvaluationPath.Fused);
        var inputs = Copy(c.Edge());
        using var result = loss.Compute(inputs);
        result.Total.backward();

        var value = (c.Term is null ? result.Total : result[c.Term].Raw).item<double>();
        Assert.True(double.IsFinite(value), $"{name}: {value}");
        Assert.True(double.IsFinite(result.Total.item<double>()), $"{name}: total {result.Total.item<double>()}");
        var expected = c.EdgeValue ?? c.Reference(loss, Copy(c.Edge())).item<double>();
        Assert.True(Math.Abs(value - expected) <= 1e-12 + 1e-9 * Math.Abs(expected), $"{name}: edge value {value:R}, documented {expected:R}");
        foreach (var (input, tensor) in inputs)
            if (tensor.grad is { } grad) Assert.False(grad.isnan().any().item<bool>() || grad.isinf().any().item<bool>(), $"{name}: non-finite gradient of {input}");
    }
}
