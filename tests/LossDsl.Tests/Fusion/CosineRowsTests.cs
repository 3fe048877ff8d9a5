using System.Collections.Generic;
using LossDsl.Runtime;
using LossDsl.Runtime.Kernels;
using LossDsl.Tests.Kernels;
using LossDsl.Zoo;
using static TorchSharp.torch;

namespace LossDsl.Tests.Fusion;

/// <summary>The fused path reads <c>⟨normalize(z)_i, normalize(z)_j⟩</c> as the cosine of z and hands it to the engine
/// as unit rows it divides itself (<c>CosineRows</c>), so it must agree with the unfused <c>Ops.Normalize</c> where the
/// engine's own scaled product did not: rows of one feature (cosines exactly ±1), zero rows, and rows whose norm only
/// double holds.</summary>
[Collection(EngineSettingsCollection.Name)]
public class CosineRowsTests
{
    private static Dictionary<string, Tensor> Inputs(Tensor z, Tensor y) => new() { ["z"] = z, ["y"] = y };

    private static double WorstError(ILoss loss, Dictionary<string, Tensor> inputs)
    {
        var fused = FusedVsUnfusedTests.Run(loss, inputs, fusedKernels: true, CpuBackend.Simd);
        var unfused = FusedVsUnfusedTests.Run(loss, inputs, fusedKernels: false, CpuBackend.Simd);
        var worst = 0.0;
        foreach (var key in unfused.Keys) worst = System.Math.Max(worst, FusionNumerics.RelativeError(fused[key], unfused[key]));
        return worst;
    }

    // One class, one feature: every cosine is ±1 and the gradient sums a few hundred of them. With the engine's scaled
    // product (three roundings a pair) this differed by 2.3e-4; unit rows divided as Ops.Normalize divides them are ±1.
    [Fact]
    public void One_feature_rows_give_cosines_of_exactly_plus_or_minus_one()
    {
        using var scope = NewDisposeScope();
        manual_seed(84287);
        var inputs = Inputs(randn(273, 1), zeros(273, ScalarType.Int64));
        Assert.True(WorstError(new SupCon { Temperature = 0.15 }, inputs) <= 1e-6);
    }

    // A zero row (padding) has cosine 0 with every row and no gradient, as Ops.Normalize leaves it.
    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    public void A_zero_row_has_no_gradient_fused_as_unfused(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var z = randn(40, 6, dtype);
        z[7] = zeros(6, dtype);
        var inputs = Inputs(z, arange(20, ScalarType.Int64).repeat(2));
        Assert.True(WorstError(new NtXent(), inputs) <= FusionNumerics.Tolerance(dtype));
        var fused = FusedVsUnfusedTests.Run(new NtXent(), inputs, fusedKernels: true, CpuBackend.Simd);
        Assert.Equal(0.0, fused["∂/∂z"][7].abs().sum().to_type(ScalarType.Float64).item<double>());
    }

    // Rows of norm 1e-30 and 1e30 keep their value and gradient (their dot products would underflow or overflow float32).
    [Fact]
    public void Rows_at_the_ends_of_the_float32_range_match_the_unfused_path()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        var z = randn(24, 4, ScalarType.Float64);
        z[3] = z[3] * 1e-30;
        z[9] = z[9] * 1e30;
        var inputs = Inputs(z.to_type(ScalarType.Float32), arange(12, ScalarType.Int64).repeat(2));
        var fused = FusedVsUnfusedTests.Run(new NtXent(), inputs, fusedKernels: true, CpuBackend.Simd);
        Assert.True(fused["∂/∂z"].isfinite().all().item<bool>());
        Assert.True(WorstError(new NtXent(), inputs) <= 1e-4);
    }

    // A NaN in a row makes the loss NaN on both paths (never a finite value).
    [Fact]
    public void A_NaN_row_makes_the_fused_loss_NaN()
    {
        using var scope = NewDisposeScope();
        var z = randn(10, 3);
        z[2, 1] = tensor(float.NaN);
        var loss = new NtXent { NonFiniteInputs = NonFiniteInputs.Unchecked };
        var fused = FusedVsUnfusedTests.Run(loss, Inputs(z, arange(5, ScalarType.Int64).repeat(2)), fusedKernels: true, CpuBackend.Simd);
        Assert.True(double.IsNaN(fused["total"].item<float>()));
    }
}
