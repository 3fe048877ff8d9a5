using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Cli;
using LossDsl.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace LossDsl.Tests.Zoo2;

/// <summary>Checks shared by the part-2 zoo tests: a loss against an independent TorchSharp formulation on every
/// evaluation path (value and every gradient), and its gradient against central finite differences in float64.</summary>
internal static class ZooCheck
{
    /// <summary>Fresh leaf copies of <paramref name="inputs"/>; the floating ones require gradients.</summary>
    public static Dictionary<string, Tensor> Leaves(IReadOnlyDictionary<string, Tensor> inputs) =>
        inputs.ToDictionary(p => p.Key, p => is_floating_point(p.Value) ? p.Value.detach().clone().requires_grad_(true) : p.Value.clone());

    /// <summary>The loss's total (and every floating input's gradient) equals <paramref name="reference"/>'s on fused,
    /// unfused and interpreted paths, within <paramref name="tolerance"/> relative to the largest magnitude. The
    /// <paramref name="constants"/> (targets, masks, weights the loss freezes) reach the reference without gradient, and
    /// the loss must pass them none.</summary>
    public static void MatchesReference(ILoss loss, IReadOnlyDictionary<string, Tensor> inputs,
        Func<IReadOnlyDictionary<string, Tensor>, Tensor> reference, double tolerance = 1e-12, params string[] constants)
    {
        using var scope = NewDisposeScope();
        var expectedInputs = Leaves(inputs);
        foreach (var name in constants) expectedInputs[name] = inputs[name].detach().clone();
        var expected = reference(expectedInputs);
        expected.backward();
        var expectedValue = expected.item<double>();
        Assert.True(double.IsFinite(expectedValue), $"the reference of {loss.Name} is {expectedValue}");
        foreach (var path in Enum.GetValues<EvaluationPath>())
        {
            var actualInputs = Leaves(inputs);
            using var result = LossPaths.Compute(loss, path)(actualInputs);
            var value = result.Total.item<double>();
            Assert.True(Close(value, expectedValue, tolerance), $"{loss.Name} ({path}) = {value:R}, reference {expectedValue:R}");
            if (result.Total.requires_grad) result.Total.backward();
            foreach (var name in constants)
                Assert.True(actualInputs[name].grad is null || actualInputs[name].grad!.abs().max().item<double>() == 0,
                    $"{loss.Name} ({path}) passes a gradient to the constant {name}");
            foreach (var (name, leaf) in expectedInputs.Where(p => is_floating_point(p.Value) && !constants.Contains(p.Key)))
            {
                var want = leaf.grad ?? zeros_like(leaf);
                var got = actualInputs[name].grad ?? zeros_like(leaf);
                var error = MaxRelative(got, want);
                Assert.True(error <= tolerance, $"{loss.Name} ({path}): gradient of {name} off by {error:E2} (relative)");
            }
        }
    }

    /// <summary>The gradient of the total with respect to <paramref name="names"/> (float64 inputs) equals central
    /// differences <c>(f(x + h) − f(x − h)) / 2h</c> of the value, entry by entry; discrete choices (assignments,
    /// sorts, masks) stay as they are for a small enough h when the inputs have no near ties.</summary>
    public static void GradientMatchesFiniteDifferences(ILoss loss, IReadOnlyDictionary<string, Tensor> inputs,
        IEnumerable<string> names, double h = 1e-6, double tolerance = 1e-6)
    {
        using var scope = NewDisposeScope();
        var leaves = Leaves(inputs);
        using (var result = loss.Compute(leaves)) result.Total.backward();
        foreach (var name in names)
        {
            var x = inputs[name].detach().clone().to(ScalarType.Float64).contiguous();
            var analytic = (leaves[name].grad ?? zeros_like(x)).to(ScalarType.Float64).contiguous().data<double>().ToArray();
            var flat = x.reshape(-1);
            var numeric = new double[flat.shape[0]];
            for (var k = 0; k < numeric.Length; k++)
            {
                var original = flat[k].item<double>();
                numeric[k] = (ValueAt(loss, inputs, name, x, flat, k, original + h) - ValueAt(loss, inputs, name, x, flat, k, original - h)) / (2 * h);
                flat[k] = tensor(original, ScalarType.Float64);
            }
            var scale = Math.Max(numeric.Select(Math.Abs).DefaultIfEmpty(0).Max(), 1e-3);
            for (var k = 0; k < numeric.Length; k++)
                Assert.True(Math.Abs(analytic[k] - numeric[k]) <= tolerance * scale,
                    $"{loss.Name}: d/d{name}[{k}] = {analytic[k]:R}, finite differences {numeric[k]:R}");
        }
    }

    private static double ValueAt(ILoss loss, IReadOnlyDictionary<string, Tensor> inputs, string name, Tensor x, Tensor flat, int k, double value)
    {
        using var scope = NewDisposeScope();
        flat[k] = tensor(value, ScalarType.Float64);
        var perturbed = inputs.ToDictionary(p => p.Key, p => p.Key == name ? x.clone() : p.Value.detach());
        using var result = loss.Compute(perturbed);
        return result.Total.item<double>();
    }

    /// <summary>A 0-d tensor's value (indicator-based metrics are in the default float type).</summary>
    public static double AsDouble(Tensor t) => t.detach().to(ScalarType.Float64).item<double>();

    public static bool Close(double actual, double expected, double tolerance) =>
        actual == expected || Math.Abs(actual - expected) <= tolerance * Math.Max(Math.Abs(expected), 1e-300);

    /// <summary><c>max |a − b| / max |b|</c> (0 when both are 0).</summary>
    public static double MaxRelative(Tensor actual, Tensor expected)
    {
        var a = actual.detach().to(ScalarType.Float64).contiguous().data<double>().ToArray();
        var b = expected.detach().to(ScalarType.Float64).contiguous().data<double>().ToArray();
        if (a.Length != b.Length) return double.PositiveInfinity;
        var scale = b.Select(Math.Abs).DefaultIfEmpty(0).Max();
        var diff = a.Zip(b, (x, y) => Math.Abs(x - y)).DefaultIfEmpty(0).Max();
        if (a.Any(double.IsNaN)) return double.PositiveInfinity;
        return scale == 0 ? diff : diff / scale;
    }

    /// <summary>Standard normal float64 values from a seed.</summary>
    public static Tensor Randn(int seed, params long[] shape)
    {
        using var generator = new torch.Generator((ulong)seed);
        return randn(shape, ScalarType.Float64, generator: generator);
    }

    /// <summary>Uniform integers in [0, high) from a seed.</summary>
    public static Tensor Randint(int seed, long high, params long[] shape)
    {
        using var generator = new torch.Generator((ulong)seed);
        return randint(0, high, shape, ScalarType.Int64, generator: generator);
    }

    /// <summary>A 0-d float64 tensor (through Scalars, as every number reaching libtorch).</summary>
    public static Tensor Real(double value) => Scalars.Full(Array.Empty<long>(), value, ScalarType.Float64, CPU);

    /// <summary>The value of the total and of each term.</summary>
    public static (double Total, Dictionary<string, double> Terms) Values(ILoss loss, IReadOnlyDictionary<string, Tensor> inputs)
    {
        using var result = loss.Compute(inputs);
        return (AsDouble(result.Total), result.Terms.ToDictionary(t => t.Name, t => AsDouble(t.Raw)));
    }
}
