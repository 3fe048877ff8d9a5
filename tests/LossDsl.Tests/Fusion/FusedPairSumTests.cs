using System;
using System.Linq;
using System.Reflection;
using LossDsl.Runtime.Fused;
using TorchSharp;
using static TorchSharp.torch;

namespace LossDsl.Tests.Fusion;

/// <summary>A generated pair-sum kernel called directly through its runtime entry point, where the DSL cannot
/// reach: two operands of different lengths (M = N + 3), every reduction's bookkeeping, and the argument
/// checks, against a dense TorchSharp reference differentiated by autograd.</summary>
public class FusedPairSumTests
{
    // FusedPairSums.HingeRowSum's kernel: relu(c0 − ⟨x_i, y_j⟩) over all pairs, row sum.
    private static readonly MethodInfo Hinge = typeof(FusedPairSums).GetNestedType("__FusedRegion0", BindingFlags.NonPublic)!
        .GetMethod("Apply", BindingFlags.Public | BindingFlags.Static)!;

    private static Tensor Run(Tensor x, Tensor y, double margin) =>
        (Tensor)Hinge.Invoke(null, new object?[] { x, y, null, new[] { margin }, Array.Empty<Tensor>() })!;

    [Theory]
    [InlineData(ScalarType.Float64, 1e-9)]
    [InlineData(ScalarType.Float32, 1e-4)]
    public void TwoOperandsOfDifferentLengths_MatchTheDenseReference(ScalarType dtype, double tolerance)
    {
        foreach (var (n, m, d) in new[] { (1, 4, 3), (7, 10, 16), (33, 36, 5) })
        {
            using var scope = NewDisposeScope();
            var x = randn(n, d, dtype: ScalarType.Float64).to_type(dtype).requires_grad_(true);
            var y = randn(m, d, dtype: ScalarType.Float64).to_type(dtype).requires_grad_(true);
            var g = randn(n, dtype: ScalarType.Float64).to_type(dtype);

            var fused = Run(x, y, 0.5);
            Assert.Equal(new long[] { n }, fused.shape);
            Assert.Equal(dtype, fused.dtype);
            fused.backward(new[] { g });
            var (fx, fy) = (x.grad!.clone(), y.grad!.clone());
            x.grad!.zero_();
            y.grad!.zero_();

            var reference = (0.5 - x.mm(y.t())).relu().sum(1);
            reference.backward(new[] { g });
            Assert.True(FusionNumerics.RelativeError(fused, reference) <= tolerance, $"value N={n} M={m}");
            Assert.True(FusionNumerics.RelativeError(fx, x.grad!) <= tolerance, $"∂x N={n} M={m}");
            Assert.True(FusionNumerics.RelativeError(fy, y.grad!) <= tolerance, $"∂y N={n} M={m}");
        }
    }

    [Fact]
    public void RowValues_AreChecked()
    {
        var kernel = (IFusedPairSumKernel)Activator.CreateInstance(typeof(FusedPairSums).GetNestedType("__FusedRegion4", BindingFlags.NonPublic)!, true)!;
        using var scope = NewDisposeScope();
        var z = randn(5, 3, dtype: ScalarType.Float64);
        var labels = tensor(new long[] { 0, 1, 0, 1, 2 });
        var wrong = randn(4, dtype: ScalarType.Float64);
        var error = Assert.Throws<ArgumentException>(() =>
            FusedPairSumFunction.Apply(kernel, PairReduction.Mean, z, z, labels, new[] { 2.0 }, new[] { wrong }));
        Assert.Contains("row value must be [5]", error.Message);
        Assert.Throws<ArgumentNullException>(() =>
            FusedPairSumFunction.Apply(kernel, PairReduction.Mean, z, z, null, new[] { 2.0 }, new[] { randn(5, dtype: ScalarType.Float64) }));
    }
}
