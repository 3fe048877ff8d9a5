using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using LossDsl.Ir;
using LossDsl.Runtime;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace LossDsl.Tests.Fusion;

/// <summary>Generated losses computed twice on the same instance and inputs, with
/// <c>UseFusedKernels</c> on and off: every term's value and every input's gradient must agree
/// (float64 to 1e-9, float32 to 1e-4, relative to the largest entry) on N from 1 to 100, including
/// single-class batches, whose label graphs leave rows empty.</summary>
public class FusedVsUnfusedTests
{
    private readonly ITestOutputHelper _output;
    public FusedVsUnfusedTests(ITestOutputHelper output) => _output = output;

    private static readonly Dictionary<string, Type> Losses = new[]
    {
        typeof(LossDsl.Zoo.NtXent), typeof(LossDsl.Zoo.SupCon), typeof(FusedNegatives), typeof(FusedShapes), typeof(FusedPairSums),
    }.ToDictionary(t => t.Name);

    /// <summary>How many regions each loss must have fused (one per log-sum-exp over a dot relation).</summary>
    private static readonly Dictionary<string, int> ExpectedRegions = new()
    {
        ["NtXent"] = 2, ["SupCon"] = 2, ["FusedNegatives"] = 1, ["FusedShapes"] = 5, ["FusedPairSums"] = 7,
    };

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var loss in Losses.Keys)
            foreach (var dtype in new[] { "Float64", "Float32" })
                data.Add(loss, dtype);
        return data;
    }

    private static readonly int[] Ns = { 1, 2, 7, 33, 100 };
    private static readonly int[] Ds = { 1, 3, 16 };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Fused_EqualsUnfused_ValuesAndGradients(string lossName, string dtypeName)
    {
        var type = Losses[lossName];
        var regions = type.GetNestedTypes(BindingFlags.NonPublic).Count(t => t.Name.StartsWith("__FusedRegion", StringComparison.Ordinal));
        Assert.True(regions == ExpectedRegions[lossName],
            $"{lossName} has {regions} fused regions, expected {ExpectedRegions[lossName]}: is the generator wired to FusionPlanner and KernelEmitter?");

        var dtype = Enum.Parse<ScalarType>(dtypeName);
        var loss = (ILoss)Activator.CreateInstance(type)!;
        var seed = lossName.Length * 31 + (int)dtype;
        var random = new Random(seed);
        torch.random.manual_seed(seed);
        var tolerance = FusionNumerics.Tolerance(dtype);
        var worst = 0.0;
        foreach (var n in Ns)
            foreach (var d in Ds)
                foreach (var classes in new[] { 1, Math.Min(3, n) })
                {
                    using var scope = NewDisposeScope();
                    var inputs = loss.Inputs.ToDictionary(i => i.Name, i => i.Kind == ValueKind.Labels
                        ? FusionNumerics.Labels(random, n, classes)
                        : randn(n, d, dtype: ScalarType.Float64).to_type(dtype));

                    loss.UseFusedKernels = true;
                    var fused = Run(loss, inputs);
                    loss.UseFusedKernels = false;
                    var unfused = Run(loss, inputs);

                    foreach (var key in unfused.Keys)
                    {
                        // At D = 1, x / ‖x‖ = ±1 is constant: the gradient through Normalize vanishes in exact
                        // arithmetic, and both paths return float32 rounding noise amplified by 1 / |z| (seen up
                        // to 1e-4 absolute) that no tolerance can compare. Those gradients are compared in
                        // float64 here, and the kernel's own D = 1 gradients in float32 by FusedKernelTests.
                        if (dtype == ScalarType.Float32 && d == 1 && key.StartsWith("∂", StringComparison.Ordinal)) continue;
                        var error = FusionNumerics.RelativeError(fused[key], unfused[key]);
                        worst = Math.Max(worst, error);
                        Assert.True(error <= tolerance, $"{lossName} {dtype} N={n} D={d} classes={classes}: {key} differs by {error:E2} > {tolerance}");
                    }
                }
        _output.WriteLine($"{lossName} {dtype}: worst relative difference fused vs unfused {worst:E2} (tolerance {tolerance})");
    }

    /// <summary>Each term's raw value, the total, and the gradient of the total for every float input
    /// (fresh leaves per run, so the runs cannot see each other's gradients).</summary>
    private static Dictionary<string, Tensor> Run(ILoss loss, Dictionary<string, Tensor> inputs)
    {
        var leaves = inputs.ToDictionary(p => p.Key, p => p.Value.is_floating_point() ? p.Value.detach().clone().requires_grad_(true) : p.Value);
        using var result = loss.Compute(leaves);
        result.Total.backward();
        var values = new Dictionary<string, Tensor> { ["total"] = result.Total.detach().clone() };
        foreach (var term in result.Terms) values["term " + term.Name] = term.Raw.detach().clone();
        foreach (var (name, leaf) in leaves)
            if (leaf.is_floating_point()) values["∂/∂" + name] = leaf.grad?.clone() ?? zeros_like(leaf);
        return values;
    }

    [Fact]
    public void FuseFalse_PlansNoRegion_AndMatchesTheFusedLoss()
    {
        Assert.DoesNotContain(typeof(UnfusedNegatives).GetNestedTypes(BindingFlags.NonPublic), t => t.Name.StartsWith("__FusedRegion", StringComparison.Ordinal));
        using var scope = NewDisposeScope();
        var inputs = new Dictionary<string, Tensor>
        {
            ["z"] = randn(20, 5, dtype: ScalarType.Float64),
            ["y"] = FusionNumerics.Labels(new Random(5), 20, 4),
        };
        var fused = Run(new FusedNegatives(), inputs);
        var unfused = Run(new UnfusedNegatives(), inputs);
        foreach (var key in fused.Keys)
            Assert.True(FusionNumerics.RelativeError(fused[key], unfused[key]) <= 1e-9, key);
    }

    // A loss's own Describe / IR are untouched by fusion: fusion is an emission choice only.
    [Fact]
    public void FusionDoesNotChangeTheLossIr() =>
        Assert.Equal(IrTransforms.CanonicalText(new FusedNegatives().Trace()), IrTransforms.CanonicalText(new UnfusedNegatives().Trace()));
}
