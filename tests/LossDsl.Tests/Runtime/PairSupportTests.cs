using System;
using System.Linq;
using LossDsl.Runtime;
using TorchSharp;

namespace LossDsl.Tests.Runtime;

/// <summary><see cref="Ops.OverPairs"/> (an element-wise formula evaluated at a graph's pairs only) against the dense
/// formula masked by <see cref="Ops.Over"/>: same value, same gradients, for sparse and dense graphs, Bool and soft,
/// through every reduction that reads it (pair mean, sum, mean over non-zero, count; row sum and mean).</summary>
public sealed class PairSupportTests
{
    private const long Rows = 12, Columns = 9;

    public enum GraphKind { SparseBool, DenseBool, SparseWeights, DenseWeights, Empty }

    /// <summary>f_ij = softplus(u_i − r_ij) · v_j + w_j, reading a relation, a row vector and two column vectors.</summary>
    private static torch.Tensor Formula(Func<torch.Tensor, torch.Tensor> at, Func<torch.Tensor, torch.Tensor> row,
        Func<torch.Tensor, torch.Tensor> column, torch.Tensor r, torch.Tensor u, torch.Tensor v) =>
        Ops.Add(Ops.Mul(Ops.Softplus(Ops.Sub(row(u), at(r))), column(v)), column(v.square()));

    private static torch.Tensor Graph(GraphKind kind)
    {
        var generator = new Random(7);
        var values = new double[Rows * Columns];
        for (var k = 0; k < values.Length; k++)
        {
            var dense = kind is GraphKind.DenseBool or GraphKind.DenseWeights;
            var selected = kind != GraphKind.Empty && generator.NextDouble() < (dense ? 0.7 : 0.1);
            values[k] = selected ? 0.25 + generator.NextDouble() : 0;
        }
        var weights = torch.tensor(values, new[] { Rows, Columns }, torch.float64);
        return kind is GraphKind.SparseWeights or GraphKind.DenseWeights ? weights : weights.gt(0);
    }

    [Theory]
    [InlineData(GraphKind.SparseBool, true)]
    [InlineData(GraphKind.DenseBool, false)]
    [InlineData(GraphKind.SparseWeights, true)]
    [InlineData(GraphKind.DenseWeights, false)]
    [InlineData(GraphKind.Empty, true)]
    public void Pair_reductions_equal_the_dense_formulas_value_and_gradients(GraphKind kind, bool sparse)
    {
        using var scope = torch.NewDisposeScope();
        var graph = Graph(kind);
        Assert.Equal(sparse, PairSupport.Of(graph).IsSparse);
        // Row sums and means weighted unevenly, so that each row's gradient differs.
        var rowWeights = TestData.Randn(4, Rows);
        var reductions = new Func<MaskedRelation, torch.Tensor>[]
        {
            Ops.Mean, Ops.Sum, Ops.MeanNonZero, Ops.CountPositive,
            m => Ops.RowSum(m).mul(rowWeights).sum(), m => Ops.RowMean(m).mul(rowWeights).sum(),
        };
        foreach (var reduce in reductions)
        {
            var (denseValue, denseGrads) = Run(graph, reduce, pairs: false);
            var (value, grads) = Run(graph, reduce, pairs: true);
            Assert.Equal(denseValue, value, 12);
            for (var k = 0; k < grads.Length; k++)
                Assert.True(torch.allclose(denseGrads[k], grads[k], rtol: 1e-12, atol: 1e-14), $"gradient {k} differs ({kind})");
        }
    }

    private static (double Value, torch.Tensor[] Grads) Run(torch.Tensor graph, Func<MaskedRelation, torch.Tensor> reduce, bool pairs)
    {
        var r = TestData.Randn(1, Rows, Columns).requires_grad_();
        var u = TestData.Randn(2, Rows).requires_grad_();
        var v = TestData.Randn(3, Columns).requires_grad_();
        var masked = pairs
            ? Ops.OverPairs(graph, p => Formula(p.At, p.Row, p.Column, r, u, v))
            : Ops.Over(Formula(x => x, Ops.PerRow, Ops.PerColumn, r, u, v), graph);
        var loss = reduce(masked);
        if (loss.requires_grad) loss.backward();
        var grads = new[] { r, u, v }.Select(t => t.grad is { } g ? g.detach().clone() : torch.zeros_like(t)).ToArray();
        return (loss.item<double>(), grads);
    }

    [Fact]
    public void A_NaN_outside_the_graph_never_reaches_the_result_and_one_inside_does()
    {
        using var scope = torch.NewDisposeScope();
        foreach (var kind in new[] { GraphKind.SparseBool, GraphKind.DenseBool })
        {
            var graph = Graph(kind);
            foreach (var (pairs, expectNaN) in new[] { (graph.logical_not().nonzero(), false), (graph.nonzero(), true) })
            {
                var r = TestData.Randn(1, Rows, Columns).clone();
                r[pairs[0, 0].item<long>(), pairs[0, 1].item<long>()] = torch.tensor(double.NaN);
                r.requires_grad_();
                var loss = Ops.Mean(Ops.OverPairs(graph, p => Ops.Softplus(p.At(r))));
                Assert.Equal(expectNaN, double.IsNaN(loss.item<double>()));
                // Sparse, the unselected pair is never computed, so its gradient is 0 too (dense, as Ops.Over: the fill
                // passes 0 back, times softplus' NaN slope there).
                if (!expectNaN && kind == GraphKind.SparseBool)
                {
                    loss.backward();
                    Assert.False(TestData.HasNaN(r.grad!), "NaN gradient from an unselected pair");
                }
            }
        }
    }

    [Fact]
    public void A_NaN_weight_is_selected_and_propagates()
    {
        using var scope = torch.NewDisposeScope();
        var weights = Graph(GraphKind.SparseWeights).clone();
        weights[0, 0] = torch.tensor(double.NaN);
        var r = TestData.Randn(1, Rows, Columns);
        Assert.True(PairSupport.Of(weights).IsSparse);
        Assert.True(double.IsNaN(Ops.Mean(Ops.OverPairs(weights, p => p.At(r))).item<double>()));
    }

    [Fact]
    public void Reductions_that_need_every_pair_refuse_the_selected_pairs_form()
    {
        using var scope = torch.NewDisposeScope();
        var r = TestData.Randn(1, Rows, Columns);
        var kept = Ops.OverPairs(Graph(GraphKind.SparseBool), p => p.At(r));
        var error = Assert.Throws<InvalidOperationException>(() => Ops.RowLogSumExp(kept));
        Assert.Contains("RowLogSumExp", error.Message);
        Assert.Throws<InvalidOperationException>(() => Ops.RowMax(kept));
        Assert.Throws<InvalidOperationException>(() => Ops.Transpose(kept));
    }

    [Fact]
    public void A_graph_that_is_not_two_dimensional_is_refused_naming_its_shape()
    {
        using var scope = torch.NewDisposeScope();
        var error = Assert.Throws<ArgumentException>(() => PairSupport.Of(torch.ones(3, 4, 5, torch.@bool)));
        Assert.Contains("[3, 4, 5]", error.Message);
    }
}
