using LossDsl.Ir;
using System;
using LossDsl.Runtime;
using LossDsl.Tests.Oracle;
using TorchSharp;
using F = TorchSharp.torch.nn.functional;

namespace LossDsl.Tests.Runtime;

public sealed class OpsTests
{
    [Fact]
    public void Pairwise_metrics_match_their_definitions()
    {
        using var scope = torch.NewDisposeScope();
        var x = TestData.Randn(1, 4, 3);
        var y = TestData.Randn(2, 5, 3);
        var direct = (x.unsqueeze(1) - y.unsqueeze(0)).square().sum(2);

        Assert.True(Tolerance.Matches(Ops.Pairwise(x, y, Metric.Dot, false), x.matmul(y.t()), 1e-14, out _));
        // Normalize scales each row by its largest entry first (range safety): a few ulps from F.normalize.
        Assert.True(Tolerance.Matches(Ops.Pairwise(x, y, Metric.Cosine, false), F.normalize(x).matmul(F.normalize(y).t()), 1e-12, out var e0), $"{e0}");
        Assert.True(Tolerance.Matches(Ops.Pairwise(x, y, Metric.SqEuclidean, false), direct, 1e-12, out var e1), $"{e1}");
        Assert.True(Tolerance.Matches(Ops.Pairwise(x, y, Metric.Euclidean, false), direct.sqrt(), 1e-12, out var e2), $"{e2}");
        Assert.Equal(new long[] { 4, 5 }, Ops.Pairwise(x, y, Metric.Dot, false).shape);
    }

    [Theory]
    [InlineData(Metric.Euclidean)]
    [InlineData(Metric.SqEuclidean)]
    public void Self_distances_have_an_exact_zero_diagonal_without_gradient(Metric metric)
    {
        using var scope = torch.NewDisposeScope();
        var x = TestData.Randn(3, 5, 3).requires_grad_();
        var d = Ops.Pairwise(x, x, metric, self: true);
        Assert.Equal(0.0, d.diagonal().abs().sum().item<double>());
        d.sum().backward();
        Assert.False(TestData.HasNaN(x.grad!));
    }

    [Fact]
    public void Unknown_metric_is_an_argument_error()
    {
        var x = torch.zeros(2, 2, torch.float64);
        var e = Assert.Throws<ArgumentException>(() => Ops.Pairwise(x, x, (Metric)99, false));
        Assert.Contains("99", e.Message);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Temperatures_must_be_positive_and_finite(double t)
    {
        var x = torch.zeros(2, 3, torch.float64);
        Assert.Contains(t.ToString(), Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Softmax(x, t)).Message);
        Assert.Contains(t.ToString(), Assert.Throws<ArgumentOutOfRangeException>(() => Ops.LogSoftmax(x, t)).Message);
    }

    [Fact]
    public void Softmax_with_temperature_divides_first()
    {
        using var scope = torch.NewDisposeScope();
        var x = TestData.Randn(4, 3, 6);
        Assert.True(Tolerance.Matches(Ops.Softmax(x, 4), F.softmax(x / 4, 1), 1e-15, out _));
        Assert.True(Tolerance.Matches(Ops.LogSoftmax(x, 4), F.log_softmax(x / 4, 1), 1e-15, out _));
    }

    [Fact]
    public void Softplus_is_accurate_beyond_torch_threshold()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new[] { -800.0, -30, 0, 25, 40, 800 }).requires_grad_();
        var y = Ops.Softplus(x);
        y.sum().backward();
        // log1p(e^−x) ≈ e^−x (1 − e^−x / 2) to far below double precision for these x.
        double Tail(double v) => Math.Exp(-v) * (1 - Math.Exp(-v) / 2);
        var expected = new[] { 0.0, Tail(30), Math.Log(2), 25 + Tail(25), 40 + Tail(40), 800 };
        var values = y.data<double>().ToArray();
        for (var i = 0; i < expected.Length; i++) Assert.True(Tolerance.RelativeError(values[i], expected[i], 1e-300) <= 1e-15, $"softplus({x[i].item<double>()})");
        Assert.Equal(0.5, x.grad![2].item<double>());
    }

    [Fact]
    public void KL_ignores_zero_probabilities_without_NaN()
    {
        using var scope = torch.NewDisposeScope();
        var logits = torch.tensor(new[] { 0.0, 1, 2000, 0, 0, 0 }, new long[] { 2, 3 }).requires_grad_();
        var p = Ops.Softmax(logits);    // row 0 underflows to exact zeros
        var logq = Ops.LogSoftmax(TestData.Randn(5, 2, 3));
        var kl = Ops.KL(p, logq);
        kl.backward();
        Assert.True(double.IsFinite(kl.item<double>()));
        Assert.False(TestData.HasNaN(logits.grad!));
        // TorchSharp's kl_div defaults to log_target: true, unlike PyTorch.
        var reference = F.kl_div(logq, p.detach(), log_target: false, reduction: torch.nn.Reduction.Sum) / 2;
        Assert.True(Tolerance.RelativeError(kl.item<double>(), reference.item<double>()) <= 1e-14);
    }

    [Fact]
    public void Row_norms_and_criteria_match_their_formulas()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.cat(new[] { TestData.Randn(9, 3, 4), torch.zeros(1, 4, torch.float64) }).requires_grad_();
        var norms = Ops.RowNorm(x);
        Assert.True(Tolerance.Matches(norms, x.detach().square().sum(1).sqrt(), 1e-15, out _));
        norms.sum().backward();
        Assert.False(TestData.HasNaN(x.grad!));   // the zero row

        var a = TestData.Randn(10, 3, 4);
        var b = TestData.Randn(11, 3, 4) * 3;
        var diff = (a - b).abs();
        var smooth = torch.where(diff.lt(0.5), 0.5 * diff.square() / 0.5, diff - 0.25).mean();
        Assert.True(Tolerance.RelativeError(Ops.SmoothL1(a, b, 0.5).item<double>(), smooth.item<double>()) <= 1e-15);
        Assert.True(Tolerance.RelativeError(Ops.Mse(a, b).item<double>(), (a - b).square().mean().item<double>()) <= 1e-15);
    }

    [Fact]
    public void CrossEntropy_accepts_int32_labels()
    {
        using var scope = torch.NewDisposeScope();
        var logits = TestData.Randn(6, 4, 3);
        var labels = torch.tensor(new[] { 0, 2, 1, 2 });
        Assert.Equal(F.cross_entropy(logits, labels.to(torch.int64)).item<double>(), Ops.CrossEntropy(logits, labels, null).item<double>());
    }

    [Fact]
    public void MeanNormalized_divides_by_the_mean_positive_entry()
    {
        using var scope = torch.NewDisposeScope();
        var r = torch.tensor(new[] { 0.0, 2, 4, 0 }, new long[] { 2, 2 });
        Assert.Equal(new[] { 0.0, 2.0 / 3, 4.0 / 3, 0 }, Ops.MeanNormalized(r).data<double>().ToArray());
        Assert.Equal(new[] { 0.0, 0, 0, 0 }, Ops.MeanNormalized(torch.zeros(2, 2, torch.float64)).data<double>().ToArray());
    }

    [Fact]
    public void Graphs_select_the_right_pairs()
    {
        using var scope = torch.NewDisposeScope();
        var y = torch.tensor(new long[] { 0, 1, 0 });
        Assert.Equal(new[] { true, false, true, false, true, false, true, false, true }, Ops.SameLabel(y).data<bool>().ToArray());
        Assert.Equal(new[] { false, true, false, true, false, true, false, true, false }, Ops.DifferentLabel(y).data<bool>().ToArray());
        Assert.Equal(new[] { false, false, true, false, false, false, true, false, false }, Ops.ExcludeSelf(Ops.SameLabel(y)).data<bool>().ToArray());
        Assert.Equal(6L, Ops.ExcludeSelf(Ops.AllPairs(3, 3, torch.CPU)).sum().item<long>());
    }

    [Fact]
    public void Triplets_and_miners_select_as_documented()
    {
        using var scope = torch.NewDisposeScope();
        var r = TestData.Randn(7, 4, 4);
        var pos = Ops.ExcludeSelf(Ops.SameLabel(torch.tensor(new long[] { 0, 0, 1, 1 })));
        var neg = Ops.DifferentLabel(torch.tensor(new long[] { 0, 0, 1, 1 }));
        var t = Ops.Triplets(r, pos, neg);
        Assert.Equal((r[0, 1] - r[0, 3]).item<double>(), t.Values[0, 1, 3].item<double>());
        Assert.Equal(8L, t.Mask.sum().item<long>());   // 4 anchors × 1 positive × 2 negatives

        var v = t.Values;
        Assert.True(Same(Ops.MineHard(t).Mask, t.Mask.logical_and(v.ge(0))));
        Assert.True(Same(Ops.MineSemiHard(t, 0.5).Mask, t.Mask.logical_and(v.ge(-0.5)).logical_and(v.lt(0))));
    }

    [Fact]
    public void Triplet_arithmetic_changes_values_and_ands_masks()
    {
        using var scope = torch.NewDisposeScope();
        var values = TestData.Randn(8, 2, 2, 2);
        var a = new TripletTensor(values, values.gt(-0.5));
        var b = new TripletTensor(values * 2, values.lt(0.5));
        var both = a.Mask.logical_and(b.Mask);
        var two = torch.tensor(2.0, torch.float64);

        Assert.True(Same((a + b).Values, values * 3));
        foreach (var combined in new[] { a + b, a - b, a * b, a / b }) Assert.True(Same(combined.Mask, both));
        Assert.True(Same((a + 1.0).Values, values + 1));
        Assert.True(Same((1.0 - a).Values, 1 - values));
        Assert.True(Same((a * two).Values, values * 2));
        Assert.True(Same((two / a).Values, 2 / values));
        foreach (var scaled in new[] { a / 2.0, 2.0 * a, two - a, a + two, -a, Ops.Relu(a) }) Assert.True(Same(scaled.Mask, a.Mask));
        Assert.True(Same((-a).Values, -values));
        Assert.True(Same(Ops.Relu(a).Values, values.relu()));
    }

    [Fact]
    public void ExcludeSelf_drops_the_diagonal_of_rectangular_batched_and_weighted_graphs_and_leaves_its_input_alone()
    {
        using var scope = torch.NewDisposeScope();
        var wide = torch.ones(3, 4, torch.@bool);
        var expected = torch.eye(3, 4, torch.@bool).logical_not();
        Assert.True(Same(Ops.ExcludeSelf(wide), expected));
        Assert.Equal(12L, wide.sum().item<long>());
        Assert.True(Same(Ops.ExcludeSelf(torch.ones(4, 3, torch.@bool)), torch.eye(4, 3, torch.@bool).logical_not()));
        var batched = torch.ones(2, 3, 3, torch.@bool);
        Assert.Equal(12L, Ops.ExcludeSelf(batched).sum().item<long>());
        var weights = torch.full(3, 3, 0.5);
        Assert.True(Same(Ops.ExcludeSelf(weights), torch.eye(3, 3, torch.@bool).logical_not()));
    }

    private static bool Same(torch.Tensor a, torch.Tensor b) => a.eq(b).all().item<bool>();
}
