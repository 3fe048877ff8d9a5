using System.Collections.Generic;
using LossDsl.Runtime;
using LossDsl.Runtime.Kernels;
using LossDsl.Runtime.Kernels.Formulas;
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

    // The bridge's cosine against the dot product of Ops.Normalize's rows, through the autograd function itself: float32,
    // 40 features (the vector paths), a cross relation (both gradients) and a self one; rows of subnormal entries (norm
    // below float.MinNormal: a subnormal divisor would keep a few bits), a zero row and a row of norm ~1e31.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_bridge_cosine_equals_the_dot_product_of_normalised_rows(bool self)
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        var x0 = randn(37, 40, ScalarType.Float64);
        x0[3] = x0[3] * 1e-45;   // float32 subnormals
        x0[5] = zeros(40, ScalarType.Float64);
        var y0 = randn(29, 40, ScalarType.Float64);
        y0[2] = y0[2] * 1e30;
        Tensor[] Run(bool bridge)
        {
            var x = x0.to_type(ScalarType.Float32).requires_grad_(true);
            var y = self ? null : y0.to_type(ScalarType.Float32).requires_grad_(true);
            var rows = bridge
                ? PairFunction<ScaledRelation, AllPairs, SumReduce>.Apply(new ScaledRelation(0.5), default, PairOutput.Rows, x, y, PairMetric.Cosine)
                : PairFunction<ScaledRelation, AllPairs, SumReduce>.Apply(new ScaledRelation(0.5), default, PairOutput.Rows,
                    Ops.Normalize(x), y is null ? null : Ops.Normalize(y), PairMetric.Dot);
            // Weights per row, so that each row's gradient is not zero by symmetry.
            (rows * arange(1, 38, ScalarType.Float32)).sum().backward();
            return self ? new[] { rows.detach(), x.grad! } : new[] { rows.detach(), x.grad!, y!.grad! };
        }
        var bridged = Run(bridge: true);
        var reference = Run(bridge: false);
        Assert.True(FusionNumerics.RelativeError(bridged[0], reference[0]) <= 1e-5, "row sums");
        // The subnormal row's gradient is ~1/‖x‖, past float32 (∞ or NaN on both paths): compared without it.
        var keep = ones(37, ScalarType.Bool);
        keep[3] = tensor(false);
        Assert.True(FusionNumerics.RelativeError(bridged[1][keep], reference[1][keep]) <= 1e-5, "∂/∂x");
        Assert.Equal(0.0, bridged[1][5].abs().sum().to_type(ScalarType.Float64).item<double>());
        if (!self) Assert.True(FusionNumerics.RelativeError(bridged[2], reference[2]) <= 1e-5, "∂/∂y");
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
