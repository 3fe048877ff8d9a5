extern alias LossDslGenerator;
using System;
using System.Collections.Generic;
using System.Linq;
using LossDslGenerator::LossDsl.Generators.Fusion;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace LossDsl.Tests.Fusion;

/// <summary>The emitted kernels (compiled in memory, see <see cref="CompiledKernels"/>) against a dense
/// TorchSharp reference differentiated by autograd: values and both operands' gradients, for every
/// graph, with and without a scale, one operand or two, float64 and float32, N from 1 to 100.</summary>
public class FusedKernelTests
{
    private readonly ITestOutputHelper _output;
    public FusedKernelTests(ITestOutputHelper output) => _output = output;

    public static TheoryData<int> VariantIndices()
    {
        var data = new TheoryData<int>();
        for (var k = 0; k < KernelVariant.All.Count; k++) data.Add(k);
        return data;
    }

    private static readonly (int N, int D)[] Sizes = { (1, 1), (1, 3), (2, 3), (7, 1), (7, 16), (33, 3), (33, 16), (100, 16) };

    [Theory]
    [MemberData(nameof(VariantIndices))]
    public void Kernel_MatchesDenseReference(int variantIndex)
    {
        var variant = KernelVariant.All[variantIndex];
        var worst = new Dictionary<ScalarType, double> { [ScalarType.Float64] = 0, [ScalarType.Float32] = 0 };
        var random = new Random(1000 + variantIndex);
        foreach (var dtype in new[] { ScalarType.Float64, ScalarType.Float32 })
            foreach (var (n, d) in Sizes)
                foreach (var self in new[] { true, false })
                    foreach (var classes in new[] { 1, 3 })
                    {
                        using var scope = NewDisposeScope();
                        // Two operands of different lengths where the graph allows it.
                        var m = !self && !variant.NeedsLabels && !variant.ExcludeSelf ? n + 3 : n;
                        var scale = variant.Scaled ? 1.7 : 1.0;
                        var x = randn(n, d, dtype: ScalarType.Float64).to_type(dtype).requires_grad_(true);
                        var y = self ? x : randn(m, d, dtype: ScalarType.Float64).to_type(dtype).requires_grad_(true);
                        var labels = FusionNumerics.Labels(random, n, classes);
                        var g = randn(n, dtype: ScalarType.Float64);

                        var fused = CompiledKernels.Apply(variant, x, y, variant.NeedsLabels ? labels : null, scale);
                        Assert.Equal(dtype, fused.dtype);
                        Assert.Equal(new long[] { n }, fused.shape);
                        fused.backward(new[] { g.to_type(dtype) });
                        var fusedDx = x.grad!.clone();
                        var fusedDy = self ? null : y.grad!.clone();

                        var (refOut, refDx, refDy) = Reference(variant, x, self ? null : y, labels, scale, g);
                        var tol = FusionNumerics.Tolerance(dtype);
                        var errors = new[]
                        {
                            FusionNumerics.RelativeError(fused, refOut),
                            FusionNumerics.RelativeError(fusedDx, refDx),
                            self ? 0 : FusionNumerics.RelativeError(fusedDy!, refDy!),
                        };
                        var what = $"{variant} {dtype} N={n} M={m} D={d} {(self ? "self" : "x≠y")} classes={classes}";
                        Assert.True(errors.Max() <= tol, $"{what}: value/dx/dy errors {string.Join(", ", errors)} > {tol}");
                        worst[dtype] = Math.Max(worst[dtype], errors.Max());
                    }
        _output.WriteLine($"{variant}: worst relative error float64 {worst[ScalarType.Float64]:E2}, float32 {worst[ScalarType.Float32]:E2}");
    }

    /// <summary><c>out_i = log Σ_{j ∈ G(i)} exp(s ⟨x_i, y_j⟩)</c> computed densely in float64 from the same
    /// values, and the gradients of <c>Σ_i g_i out_i</c> over the non-empty rows by autograd.</summary>
    internal static (Tensor Out, Tensor Dx, Tensor? Dy) Reference(KernelVariant variant, Tensor x, Tensor? y, Tensor labels, double scale, Tensor g)
    {
        var rx = x.detach().to_type(ScalarType.Float64).requires_grad_(true);
        var ry = y is null ? rx : y.detach().to_type(ScalarType.Float64).requires_grad_(true);
        long n = rx.shape[0], m = ry.shape[0];
        var mask = variant.Graph switch
        {
            FusionPlanner.SameLabel => labels.unsqueeze(1).eq(labels.unsqueeze(0)),
            FusionPlanner.DifferentLabel => labels.unsqueeze(1).ne(labels.unsqueeze(0)),
            _ => ones(n, m, dtype: ScalarType.Bool),
        };
        if (variant.ExcludeSelf) mask = mask.logical_and(eye(n, m, dtype: ScalarType.Bool).logical_not());
        var s = rx.matmul(ry.t()) * scale;
        var rows = mask.any(1).nonzero().flatten();
        var lse = s.index_select(0, rows).masked_fill(mask.index_select(0, rows).logical_not(), double.NegativeInfinity).logsumexp(1);
        var output = full(n, double.NegativeInfinity, dtype: ScalarType.Float64).index_copy(0, rows, lse.detach());
        if (rows.numel() > 0) (lse * g.index_select(0, rows)).sum().backward();
        var dx = rx.grad ?? zeros_like(rx);
        var dy = y is null ? null : ry.grad ?? zeros_like(ry);
        return (output, dx, dy);
    }

    [Fact]
    public void EmptyRows_GiveMinusInfinity_AndNoGradient()
    {
        var variant = new KernelVariant(FusionPlanner.DifferentLabel, false, true);
        using var scope = NewDisposeScope();
        var x = randn(5, 4, dtype: ScalarType.Float64).requires_grad_(true);
        var labels = zeros(5, dtype: ScalarType.Int64);   // a single-class batch: no negatives at all
        var output = CompiledKernels.Apply(variant, x, x, labels, 3.0);
        Assert.All(output.data<double>().ToArray(), v => Assert.Equal(double.NegativeInfinity, v));
        output.backward(new[] { ones(5, dtype: ScalarType.Float64) });
        Assert.All(x.grad!.data<double>().ToArray(), v => Assert.Equal(0.0, v));
    }

    [Fact]
    public void NoGradientRequired_ComputesTheValueOnly()
    {
        var variant = new KernelVariant(FusionPlanner.AllPairs, true, false);
        using var scope = NewDisposeScope();
        var x = randn(6, 3, dtype: ScalarType.Float32);
        var output = CompiledKernels.Apply(variant, x, x, null, 1.0);
        Assert.False(output.requires_grad);
        var (expected, _, _) = Reference(variant, x, null, zeros(6, dtype: ScalarType.Int64), 1.0, ones(6, dtype: ScalarType.Float64));
        Assert.True(FusionNumerics.RelativeError(output, expected) <= 1e-6);
    }

    // A frozen operand gets no gradient; the other still gets exactly its own.
    [Fact]
    public void OnlyTheOperandsThatRequireGrad_GetGradients()
    {
        var variant = new KernelVariant(FusionPlanner.SameLabel, true, true);
        using var scope = NewDisposeScope();
        var x = randn(9, 5, dtype: ScalarType.Float64).requires_grad_(true);
        var y = randn(9, 5, dtype: ScalarType.Float64);
        var labels = FusionNumerics.Labels(new Random(3), 9, 2);
        var g = randn(9, dtype: ScalarType.Float64);
        CompiledKernels.Apply(variant, x, y, labels, 0.8).backward(new[] { g });
        Assert.Null(y.grad);
        var (_, dx, _) = Reference(variant, x, y, labels, 0.8, g);
        Assert.True(FusionNumerics.RelativeError(x.grad!, dx) <= 1e-12);
    }

    [Fact]
    public void BadInputs_AreReportedClearly()
    {
        using var scope = NewDisposeScope();
        var labelled = new KernelVariant(FusionPlanner.SameLabel, false, false);
        var x = randn(4, 3);
        var ex = Assert.Throws<ArgumentNullException>(() => CompiledKernels.Apply(labelled, x, x, null, 1.0));
        Assert.Contains("compares labels", ex.Message);
        Assert.Throws<ArgumentException>(() => CompiledKernels.Apply(labelled, x, x, zeros(3, dtype: ScalarType.Int64), 1.0));
        Assert.Throws<ArgumentException>(() => CompiledKernels.Apply(labelled, x, randn(5, 3), zeros(4, dtype: ScalarType.Int64), 1.0));
        var all = new KernelVariant(FusionPlanner.AllPairs, false, false);
        Assert.Throws<ArgumentException>(() => CompiledKernels.Apply(all, x, randn(4, 2), null, 1.0));
        Assert.Throws<ArgumentException>(() => CompiledKernels.Apply(all, x, randn(4, 3, dtype: ScalarType.Float64), null, 1.0));
        var half = Assert.Throws<NotSupportedException>(() => CompiledKernels.Apply(all, x.to_type(ScalarType.Float16), x.to_type(ScalarType.Float16), null, 1.0));
        Assert.Contains("UseFusedKernels = false", half.Message);
        if (cuda.is_available())
        {
            var onGpu = x.cuda();
            var gpu = Assert.Throws<NotSupportedException>(() => CompiledKernels.Apply(all, onGpu, onGpu, null, 1.0));
            Assert.Contains("CPU only", gpu.Message);
        }
    }

    [Fact]
    public void EmittedKernel_IsReadableAndSelfContained()
    {
        var text = CompiledKernels.Text(new KernelVariant(FusionPlanner.DifferentLabel, false, true));
        _output.WriteLine(text);
        Assert.Contains("private sealed class __FusedRegion0 : global::LossDsl.Runtime.Fused.IFusedPairKernel", text);
        Assert.Contains("public static global::TorchSharp.torch.Tensor Apply(global::TorchSharp.torch.Tensor x, global::TorchSharp.torch.Tensor y, global::TorchSharp.torch.Tensor? labels, double scale)", text);
        // The math above the class, with the derived gradient.
        Assert.Contains("//   out_i = log Σ_{j : ℓ_j ≠ ℓ_i} exp(s · ⟨x_i, y_j⟩)", text);
        Assert.Contains("//   ∂f_ij/∂⟨x_i, y_j⟩ = s", text);
        Assert.Contains("//   p_ij = ∂out_i/∂f_ij = exp(f_ij − out_i)", text);
        Assert.Contains("//   ∂L/∂x_i = Σ_{j : ℓ_j ≠ ℓ_i} g_i · p_ij · s · y_j", text);
        Assert.Contains("//   ∂L/∂y_j = Σ_{i : ℓ_i ≠ ℓ_j} g_i · p_ij · s · x_i", text);
        Assert.Contains("//   ∂L/∂x_i = Σ_{j : ℓ_j ≠ ℓ_i} (g_i · p_ij · s + g_j · p_ji · s) · x_j", text);
        Assert.Contains("//   where x = x, y = w, ℓ = y, s = 1 / 0.25", text);
        // The derived code, not a template.
        Assert.Contains("double f = scale * dot[r];", text);
        Assert.Contains("double p = global::System.Math.Exp(f - outi);", text);
        Assert.Contains("weight[r] = gi * p * scale;", text);
        Assert.Contains("global::LossDsl.Runtime.Fused.PairMath.DotRows(batch.X, i0, rows, d, yj, dot);", text);
        Assert.Contains("global::LossDsl.Runtime.Fused.PairMath.DotRows(batch.Y, j0, rows, d, xi, dot);", text);
        Assert.Contains("global::LossDsl.Runtime.Fused.PairMath.AxpyRows(weight, yj, dx, i0, rows, d);", text);
        Assert.Contains("global::LossDsl.Runtime.Fused.PairMath.AxpyRows(weight, xi, dy, j0, rows, d);", text);
        // One tensor as x and y: a single backward pass visits (i, j) and (j, i).
        Assert.Contains("double q = global::System.Math.Exp(f - outj);", text);
        Assert.Contains("weight[r] += gj * q * scale;", text);
        Assert.Contains("global::LossDsl.Runtime.Fused.PairMath.AxpyRows(weight, xj, dx, i0, rows, d);", text);
        // O(N·D) by construction: no heap allocation, only stack buffers of TileRows; every framework name is global::.
        Assert.DoesNotContain("new double[", text);
        Assert.Equal(Occurrences(text, "stackalloc").Count(), Occurrences(text, "stackalloc double[TileRows]").Count());
        foreach (var name in new[] { "Math.", "Parallel.", "Span<", "TorchSharp." })
            foreach (var at in Occurrences(text, name))
                Assert.True(text.Substring(0, at).EndsWith("global::System.", StringComparison.Ordinal)
                    || text.Substring(0, at).EndsWith("global::System.Threading.Tasks.", StringComparison.Ordinal)
                    || text.Substring(0, at).EndsWith("global::", StringComparison.Ordinal), $"'{name}' without global:: at {at}");

        var plain = CompiledKernels.Text(new KernelVariant(FusionPlanner.AllPairs, false, false));
        Assert.Contains("double f = dot[r];", plain);
        Assert.Contains("weight[r] = gi * p;", plain);
        Assert.DoesNotContain("continue;   // (i, j) outside the graph", plain);
        Assert.DoesNotContain("double scale = batch.Scale;", plain);
    }

    private static IEnumerable<int> Occurrences(string text, string value)
    {
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + 1, StringComparison.Ordinal))
            if (at == 0 || !char.IsLetterOrDigit(text[at - 1]))   // "Math." but not "PairMath."
                yield return at;
    }
}
