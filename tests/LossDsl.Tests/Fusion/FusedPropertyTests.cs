using System;
using System.Collections.Generic;
using System.Linq;
using CsCheck;
using LossDsl.Runtime;
using LossDsl.Runtime.Kernels;
using LossDsl.Tests.Kernels;
using static TorchSharp.torch;

namespace LossDsl.Tests.Fusion;

/// <summary>Property tests of the generated fused regions (issue 6's acceptance): for the zoo's fusing metric losses,
/// random batches N ∈ [1, 300], feature widths, label structures (one class, all distinct, a few classes) and
/// hyper-parameters (each scaled by a random factor in [0.5, 2]: temperatures, margins, scales), the fused generated
/// <c>Compute</c> equals the unfused one, value and gradient: float64 to 1e-9, float32 to 1e-4 (relative to the largest
/// entry). Distance losses draw D ≥ 8 (see <see cref="Kernels.ZooOverEngineTests"/>: closer pairs make the expansion's
/// cancellation exceed 1e-9 between two summation orders).</summary>
[Collection(EngineSettingsCollection.Name)]
public class FusedPropertyTests
{
    private static readonly string[] DotLosses = { "NtXent", "SupCon", "MultiSimilarity", "Circle", "Nca" };
    private static readonly string[] DistanceLosses = { "BatchHardTriplet", "Contrastive", "LiftedStructure", "TripletMargin" };

    [Theory]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Float32)]
    public void Fused_equals_unfused_over_random_batches_labels_and_hyper_parameters(ScalarType dtype)
    {
        foreach (var name in DotLosses.Concat(DistanceLosses))
        {
            var minD = DistanceLosses.Contains(name) ? 8 : 1;
            Gen.Select(Gen.Int[1, 300], Gen.Int[minD, 40], Gen.Int[0, 2], Gen.Double[0.5, 2.0], Gen.Int[0, 100_000])
                .Sample((n, d, labels, factor, seed) => Check(name, dtype, n, d, labels, factor, seed), iter: 6);
        }
    }

    private static void Check(string name, ScalarType dtype, int n, int d, int labels, double factor, int seed)
    {
        using var scope = NewDisposeScope();
        var type = FusedVsUnfusedTests.FusedLosses.Single(t => t.Name == name);
        var loss = (ILoss)Activator.CreateInstance(type)!;
        foreach (var (hyper, value) in loss.HyperValues)
            type.GetProperty(hyper)!.SetValue(loss, value * factor);
        manual_seed(seed);
        var random = new Random(seed);
        var inputs = new Dictionary<string, Tensor>
        {
            ["z"] = randn(new long[] { n, d }, ScalarType.Float64).to_type(dtype),
            ["y"] = labels switch
            {
                0 => zeros(n, ScalarType.Int64),
                1 => arange(n, ScalarType.Int64),
                _ => FusionNumerics.Labels(random, n, Math.Max(1, n / 4)),
            },
        };
        var what = $"{name} {dtype} N={n} D={d} labels={labels} hyper×{factor:F3} seed={seed}";
        var fused = FusedVsUnfusedTests.Run(loss, inputs, fusedKernels: true, CpuBackend.Simd);
        var unfused = FusedVsUnfusedTests.Run(loss, inputs, fusedKernels: false, CpuBackend.Simd);
        foreach (var key in unfused.Keys)
        {
            var error = FusionNumerics.RelativeError(fused[key], unfused[key]);
            Assert.True(error <= FusionNumerics.Tolerance(dtype), $"{what}: {key} differs by {error:E2}");
        }
    }
}
