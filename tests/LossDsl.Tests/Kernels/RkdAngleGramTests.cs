using System;
using CsCheck;
using LossDsl.Runtime;
using LossDsl.Runtime.Kernels;
using LossDsl.Tests.Fusion;
using static TorchSharp.torch;

namespace LossDsl.Tests.Kernels;

/// <summary>The RKD angle engine works through Gram matrices, which cancel when a leg is short against its rows'
/// norms. These tests hold it to RepDistiller's dense form (normalised differences, a batched product, smooth L1)
/// where that matters: rows far from the origin, duplicate rows (F.normalize's clamped legs, whose gradient is
/// scaled by 1/eps), near duplicates, a duplicated teacher row, tiny batches, both SIMD widths.</summary>
[Collection(EngineSettingsCollection.Name)]
public class RkdAngleGramTests
{
    private static Tensor Angles(Tensor e)
    {
        var unit = nn.functional.normalize(Scalars.Sub(e.unsqueeze(0), e.unsqueeze(1)), p: 2.0, dim: 2);
        return unit.bmm(unit.transpose(1, 2)).view(-1);
    }

    private static (double Value, Tensor Grad) Run(Func<Tensor, Tensor> loss, Tensor student)
    {
        var leaf = student.detach().clone().requires_grad_(true);
        var total = loss(leaf);
        total.backward();
        return (total.to_type(ScalarType.Float64).item<double>(), leaf.grad!.detach().clone());
    }

    private static void Check(Tensor s, Tensor t, string what, SimdWidth width = SimdWidth.Auto)
    {
        var previous = PairEngine.Width;
        PairEngine.Width = width;
        try
        {
            var expected = Run(x => nn.functional.smooth_l1_loss(Angles(x), Angles(t).detach()), s);
            var actual = Run(x => RkdAngleFunction.Apply(x, t), s);
            var tol = FusionNumerics.Tolerance(s.dtype);
            var scale = Math.Max(Math.Abs(expected.Value), s.dtype == ScalarType.Float32 ? FusionNumerics.Floor32 : FusionNumerics.Floor64);
            Assert.True(Math.Abs(actual.Value - expected.Value) <= tol * scale, $"{what}: engine {actual.Value:R} vs dense {expected.Value:R}");
            PairEngineTests.Within(actual.Grad, expected.Grad, tol, $"{what}: gradient (max |dense| {expected.Grad.abs().max().to_type(ScalarType.Float64).item<double>():G3}, max |difference| {Scalars.Sub(actual.Grad, expected.Grad).abs().max().to_type(ScalarType.Float64).item<double>():G3})");
        }
        finally
        {
            PairEngine.Width = previous;
        }
    }

    [Theory]
    [InlineData("random", SimdWidth.Auto)]
    [InlineData("random", SimdWidth.Vector256)]
    [InlineData("far from the origin", SimdWidth.Auto)]
    [InlineData("duplicate student rows", SimdWidth.Auto)]
    [InlineData("duplicate student rows", SimdWidth.Vector256)]
    [InlineData("near-duplicate student rows", SimdWidth.Auto)]
    [InlineData("duplicate teacher rows", SimdWidth.Auto)]
    [InlineData("one row", SimdWidth.Auto)]
    [InlineData("two rows", SimdWidth.Auto)]
    public void Equals_RepDistillers_dense_form(string kind, SimdWidth width)
    {
        using var scope = NewDisposeScope();
        manual_seed(17);
        var n = kind switch { "one row" => 1, "two rows" => 2, _ => 21 };
        foreach (var dtype in new[] { ScalarType.Float64, ScalarType.Float32 })
        {
            var s = randn(new long[] { n, 9 }, ScalarType.Float64);
            var t = randn(new long[] { n, 6 }, ScalarType.Float64);
            switch (kind)
            {
                case "far from the origin": s = Scalars.Add(s, 1000.0); t = Scalars.Sub(t, 300.0); break;
                case "duplicate student rows": s[5] = s[2].clone(); s[11] = s[2].clone(); s[7] = s[3].clone(); break;
                case "near-duplicate student rows":
                    s[4] = Scalars.Add(s[1], Scalars.Mul(randn(9, ScalarType.Float64), 1e-6));
                    s[9] = Scalars.Add(s[4], Scalars.Mul(randn(9, ScalarType.Float64), 1e-4));
                    break;
                case "duplicate teacher rows": t[3] = t[8].clone(); break;
            }
            Check(s.to_type(dtype), t.to_type(dtype), $"{kind}, {dtype}, {width}", width);
        }
    }

    [Fact]
    public void A_NaN_input_makes_the_loss_NaN()
    {
        using var scope = NewDisposeScope();
        var s = randn(12, 5, ScalarType.Float64);
        s[4, 1] = tensor(double.NaN);
        Assert.True(double.IsNaN(RkdAngleFunction.Apply(s, randn(12, 4, ScalarType.Float64)).item<double>()));
        Assert.True(double.IsNaN(RkdAngleFunction.Apply(randn(12, 5, ScalarType.Float64), s).item<double>()));
    }

    [Fact]
    public void Property_random_sizes_offsets_and_duplicates()
    {
        Gen.Select(Gen.Int[1, 40], Gen.Int[1, 12], Gen.Int[0, 3], Gen.Int[0, 1000])
            .Sample((n, d, kind, seed) =>
            {
                using var scope = NewDisposeScope();
                manual_seed(seed);
                var s = randn(new long[] { n, d }, ScalarType.Float64);
                var t = randn(new long[] { n, d + 1 }, ScalarType.Float64);
                if (kind == 1) s = Scalars.Add(s, 50.0);
                if (kind == 2 && n > 3) s[n - 1] = s[0].clone();
                // In one dimension every angle is ±1 and the exact gradient is 0: with a leg of 1e-7 both paths return
                // rounding noise of 1e7-sized terms that cancel, so near duplicates are drawn from two dimensions up.
                if (kind == 3 && n > 3 && d > 1) s[n - 1] = Scalars.Add(s[0], Scalars.Mul(randn(d, ScalarType.Float64), 1e-7));
                Check(s, t, $"N = {n}, D = {d}, kind {kind}, seed {seed}");
            }, iter: 60);
    }
}
