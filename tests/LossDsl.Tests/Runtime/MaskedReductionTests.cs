using LossDsl.Ir;
using System.Collections.Generic;
using LossDsl.Runtime;
using LossDsl.Tests.Oracle;
using LossDsl.Zoo;
using TorchSharp;

namespace LossDsl.Tests.Runtime;

/// <summary>Row reductions over a graph: identities on empty rows, zero gradient there, no NaN anywhere.</summary>
public sealed class MaskedReductionTests
{
    private static readonly double NegInf = double.NegativeInfinity;

    [Fact]
    public void Single_class_batch_has_empty_negative_rows_and_a_NaN_free_gradient()
    {
        // Every DifferentLabel row is empty: lse = −∞ and softplus(lse − s) = 0 for every pair.
        using var scope = torch.NewDisposeScope();
        var z = TestData.Randn(1, 6, 4).requires_grad_();
        var y = torch.zeros(6, torch.int64);
        var s = Ops.Pairwise(Ops.Normalize(z), Ops.Normalize(z), Metric.Dot, self: true) / 0.1;
        var lse = Ops.RowLogSumExp(Ops.Over(s, Ops.DifferentLabel(y)));
        Assert.All(lse.data<double>().ToArray(), v => Assert.Equal(NegInf, v));

        var loss = Ops.Mean(Ops.Over(Ops.Softplus(lse.unsqueeze(1) - s), Ops.ExcludeSelf(Ops.SameLabel(y))));
        loss.backward();
        Assert.Equal(0.0, loss.item<double>());
        Assert.False(TestData.HasNaN(z.grad!));
        Assert.Equal(0.0, z.grad!.abs().max().item<double>());
    }

    [Fact]
    public void NtXent_on_a_single_class_batch_is_zero_with_zero_gradient()
    {
        using var scope = torch.NewDisposeScope();
        var z = TestData.Randn(2, 6, 4).requires_grad_();
        var ir = new NtXent { Temperature = 0.07 }.Trace();
        using var result = IrInterpreter.Evaluate(ir, new Dictionary<string, torch.Tensor> { ["z"] = z, ["y"] = torch.zeros(6, torch.int64) });
        result.Total.backward();
        Assert.Equal(0.0, result.Total.item<double>());
        Assert.False(TestData.HasNaN(z.grad!));
    }

    [Fact]
    public void Empty_rows_give_each_reductions_identity_and_no_gradient()
    {
        using var scope = torch.NewDisposeScope();
        var r = TestData.Randn(3, 3, 4).requires_grad_();
        // Row 1 selects nothing.
        var mask = torch.tensor(new[] { true, false, true, true, false, false, false, false, false, true, true, false }, new long[] { 3, 4 });
        var m = Ops.Over(r, mask);

        Assert.Equal(0.0, Ops.RowSum(m)[1].item<double>());
        Assert.Equal(0.0, Ops.RowMean(m)[1].item<double>());
        Assert.Equal(NegInf, Ops.RowLogSumExp(m)[1].item<double>());
        Assert.Equal(NegInf, Ops.RowMax(m)[1].item<double>());
        Assert.Equal(double.PositiveInfinity, Ops.RowMin(m)[1].item<double>());

        // Backward through every reduction, with the infinite entries masked out of the sum.
        var total = Ops.RowSum(m).sum() + Ops.RowMean(m).sum();
        foreach (var v in new[] { Ops.RowLogSumExp(m), Ops.RowMax(m), Ops.RowMin(m) })
            total = total + v.masked_fill(v.isinf(), 0).sum();
        total.backward();
        Assert.False(TestData.HasNaN(r.grad!));
        Assert.Equal(0.0, r.grad![1].abs().sum().item<double>());
        Assert.Equal(0.0, r.grad!.masked_select(mask.logical_not()).abs().sum().item<double>());
    }

    [Fact]
    public void Selected_entries_reduce_like_plain_torch()
    {
        using var scope = torch.NewDisposeScope();
        var r = TestData.Randn(4, 3, 4);
        var mask = torch.tensor(new[] { true, false, true, true, true, true, false, true, false, true, true, false }, new long[] { 3, 4 });
        var m = Ops.Over(r, mask);
        for (var i = 0; i < 3; i++)
        {
            var row = r[i].masked_select(mask[i]);
            Assert.Equal(row.sum().item<double>(), Ops.RowSum(m)[i].item<double>(), 12);
            Assert.Equal(row.mean().item<double>(), Ops.RowMean(m)[i].item<double>(), 12);
            Assert.Equal(row.logsumexp(0).item<double>(), Ops.RowLogSumExp(m)[i].item<double>(), 12);
            Assert.Equal(row.max().item<double>(), Ops.RowMax(m)[i].item<double>(), 12);
            Assert.Equal(row.min().item<double>(), Ops.RowMin(m)[i].item<double>(), 12);
        }
        Assert.Equal(r.masked_select(mask).mean().item<double>(), Ops.Mean(m).item<double>(), 12);
        Assert.Equal(r.masked_select(mask).sum().item<double>(), Ops.Sum(m).item<double>(), 12);
    }

    [Fact]
    public void Log_sum_exp_subtracts_the_row_max()
    {
        using var scope = torch.NewDisposeScope();
        var r = torch.tensor(new[] { 1000.0, 1001.0, -1000.0, -1001.0 }, new long[] { 2, 2 });
        var lse = Ops.RowLogSumExp(Ops.Over(r, torch.ones(2, 2, torch.@bool)));
        Assert.Equal(1001 + System.Math.Log(1 + System.Math.Exp(-1)), lse[0].item<double>(), 12);
        Assert.Equal(-1000 + System.Math.Log(1 + System.Math.Exp(-1)), lse[1].item<double>(), 12);
    }

    [Fact]
    public void Means_over_nothing_are_zero_with_zero_gradient()
    {
        using var scope = torch.NewDisposeScope();
        var r = TestData.Randn(5, 4, 4).requires_grad_();
        var none = torch.zeros(4, 4, torch.@bool);
        var negative = -r.abs() - 1;
        var triplets = new TripletTensor(r.unsqueeze(2) - r.unsqueeze(1), torch.zeros(4, 4, 4, torch.@bool));
        var total = Ops.Mean(Ops.Over(r, none)) + Ops.Sum(Ops.Over(r, none)) + Ops.MeanNonZero(negative)
                    + Ops.Mean(triplets) + Ops.MeanNonZero(triplets) + Ops.MeanNonZero(Ops.Over(negative, torch.ones(4, 4, torch.@bool)));
        total.backward();
        Assert.Equal(0.0, total.item<double>());
        Assert.Equal(0.0, r.grad!.abs().sum().item<double>());
    }

    [Fact]
    public void MeanNonZero_averages_and_differentiates_only_positive_entries()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new[] { -1.0, 0.0, 2.0, 4.0 }).requires_grad_();
        var mean = Ops.MeanNonZero(x);
        mean.backward();
        Assert.Equal(3.0, mean.item<double>());
        Assert.Equal(new[] { 0.0, 0.0, 0.5, 0.5 }, x.grad!.data<double>().ToArray());
    }
}
