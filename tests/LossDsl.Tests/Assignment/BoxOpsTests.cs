using System;
using LossDsl.Runtime.Assignment;
using LossDsl.Tests.Oracle;
using TorchSharp;
using static TorchSharp.torch;

namespace LossDsl.Tests.Assignment;

/// <summary>Box conversion, GIoU and pairwise L1 against hand-computed values and float64 finite differences.</summary>
public sealed class BoxOpsTests
{
    private static Tensor Boxes(params double[][] rows)
    {
        var flat = new double[rows.Length * 4];
        for (var i = 0; i < rows.Length; i++) Array.Copy(rows[i], 0, flat, 4 * i, 4);
        return tensor(flat, new long[] { rows.Length, 4 }, ScalarType.Float64);
    }

    [Fact]
    public void Centre_size_boxes_become_corners()
    {
        using var scope = NewDisposeScope();
        // Dyadic values: every result is exact.
        var xyxy = BoxOps.BoxCxcywhToXyxy(Boxes(new[] { 0.5, 0.5, 0.25, 0.5 }, new[] { 1.0, 2.0, 0.0, 3.0 }));
        Assert.Equal(new[] { 0.375, 0.25, 0.625, 0.75, 1.0, 0.5, 1.0, 3.5 }, xyxy.data<double>().ToArray());
        // Any leading shape: [B, Q, 4].
        Assert.Equal(new long[] { 2, 3, 4 }, BoxOps.BoxCxcywhToXyxy(rand(2, 3, 4)).shape);
    }

    [Fact]
    public void Generalized_IoU_matches_hand_computed_values()
    {
        using var scope = NewDisposeScope();
        var a = Boxes(new[] { 0.0, 0, 2, 2 }, new[] { 0.0, 0, 1, 1 }, new[] { 0.0, 0, 4, 4 }, new[] { 0.0, 0, 1, 1 });
        var b = Boxes(new[] { 1.0, 1, 3, 3 }, new[] { 2.0, 0, 3, 1 }, new[] { 1.0, 1, 2, 2 }, new[] { 0.0, 0, 1, 1 });
        var expected = new[]
        {
            1.0 / 7 - 2.0 / 9,   // overlap 1, union 7, enclosing 3 × 3
            0 - 1.0 / 3,         // apart: union 2, enclosing 3 × 1
            1.0 / 16,            // b inside a: IoU 1/16, enclosing = a = union
            1.0,                 // identical
        };
        var giou = BoxOps.GeneralizedIoU(a, b).data<double>().ToArray();
        for (var k = 0; k < 4; k++) Assert.Equal(expected[k], giou[k], 15);

        // Pairwise: every (i, j) equals the element-wise value of that pair.
        var pairwise = BoxOps.PairwiseGeneralizedIoU(a, b);
        Assert.Equal(new long[] { 4, 4 }, pairwise.shape);
        for (var i = 0; i < 4; i++)
            for (var j = 0; j < 4; j++)
                Assert.Equal(BoxOps.GeneralizedIoU(a[i].unsqueeze(0), b[j].unsqueeze(0)).item<double>(), pairwise[i, j].item<double>());
        Assert.True(pairwise.diagonal().equal(BoxOps.GeneralizedIoU(a, b)).all().item<bool>());
    }

    [Fact]
    public void Pairwise_L1_matches_hand_computed_values()
    {
        using var scope = NewDisposeScope();
        var a = Boxes(new[] { 0.0, 0, 1, 1 }, new[] { 1.0, 2, 3, 4 });
        var b = Boxes(new[] { 0.5, 0, 1, 3 }, new[] { 0.0, 0, 0, 0 }, new[] { 1.0, 2, 3, 4 });
        Assert.Equal(new[] { 2.5, 2, 8, 5.5, 10, 0 }, BoxOps.PairwiseL1(a, b).data<double>().ToArray());
        Assert.Equal(new long[] { 2, 0 }, BoxOps.PairwiseL1(a, zeros(0, 4, ScalarType.Float64)).shape);
        Assert.Equal(new long[] { 2, 0 }, BoxOps.PairwiseGeneralizedIoU(a, zeros(0, 4, ScalarType.Float64)).shape);
    }

    [Fact]
    public void Degenerate_boxes_are_rejected_as_in_DETR()
    {
        using var scope = NewDisposeScope();
        var good = Boxes(new[] { 0.0, 0, 1, 1 });
        var flipped = Boxes(new[] { 1.0, 0, 0, 1 });
        Assert.Contains("degenerate", Assert.Throws<ArgumentException>(() => BoxOps.PairwiseGeneralizedIoU(good, flipped)).Message);
        Assert.Contains("degenerate", Assert.Throws<ArgumentException>(() => BoxOps.GeneralizedIoU(Boxes(new[] { 0.0, double.NaN, 1, 1 }), good)).Message);
        Assert.Contains("one to one", Assert.Throws<ArgumentException>(() => BoxOps.GeneralizedIoU(good, Boxes(new[] { 0.0, 0, 1, 1 }, new[] { 0.0, 0, 1, 1 }))).Message);
        Assert.Throws<ArgumentException>(() => BoxOps.PairwiseL1(good, zeros(1, 3, ScalarType.Float64)));
    }

    /// <summary>Random (cx, cy, w, h) boxes that overlap partly, so no max/min/clamp sits at a kink.</summary>
    private static Tensor RandomCxcywh(int seed, int count)
    {
        var g = new torch.Generator((ulong)seed);
        var centre = Scalars_Affine(rand(new long[] { count, 2 }, ScalarType.Float64, generator: g), 0.3, 0.4);
        var size = Scalars_Affine(rand(new long[] { count, 2 }, ScalarType.Float64, generator: g), 0.2, 0.3);
        return cat(new[] { centre, size }, 1);
    }

    private static Tensor Scalars_Affine(Tensor t, double scale, double offset) =>
        LossDsl.Runtime.Scalars.Add(LossDsl.Runtime.Scalars.Mul(t, scale), offset);

    [Fact]
    public void Gradients_match_float64_finite_differences()
    {
        using var scope = NewDisposeScope();
        var a = RandomCxcywh(1, 5);
        var b = RandomCxcywh(2, 4);
        var b5 = RandomCxcywh(3, 5);
        var w = rand(new long[] { 5, 4 }, ScalarType.Float64, generator: new torch.Generator(4));
        var v = rand(new long[] { 5 }, ScalarType.Float64, generator: new torch.Generator(5));

        // A weighted sum of every op, through the centre-size conversion as DETR uses them.
        Tensor Loss(Tensor x) =>
            BoxOps.PairwiseGeneralizedIoU(BoxOps.BoxCxcywhToXyxy(x), BoxOps.BoxCxcywhToXyxy(b)).mul(w).sum()
                .add(BoxOps.PairwiseL1(x, b).mul(w).sum())
                .add(BoxOps.GeneralizedIoU(BoxOps.BoxCxcywhToXyxy(x), BoxOps.BoxCxcywhToXyxy(b5)).mul(v).sum());

        var x = a.clone().requires_grad_();
        Loss(x).backward();
        var analytic = x.grad!.clone();

        const double h = 1e-6;
        var numeric = zeros_like(a);
        using (no_grad())
        {
            var flat = a.flatten();
            var numericFlat = numeric.flatten();
            for (var k = 0; k < flat.shape[0]; k++)
            {
                var original = flat[k].item<double>();
                flat[k] = tensor(original + h);
                var up = Loss(a).item<double>();
                flat[k] = tensor(original - h);
                var down = Loss(a).item<double>();
                flat[k] = tensor(original);
                numericFlat[k] = tensor((up - down) / (2 * h));
            }
        }
        Assert.True(Tolerance.MaxRelativeError(analytic, numeric, floor: 1e-3) < 1e-7,
                    $"max relative error {Tolerance.MaxRelativeError(analytic, numeric, floor: 1e-3)}");
    }
}
