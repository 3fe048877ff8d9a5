using LossDsl.Runtime;
using TorchSharp;

namespace LossDsl.Tests.Runtime;

/// <summary>The row log-sum-exp (<c>Ops.RowLogSumExp</c>, one N×M temporary each way) against libtorch's
/// <c>logsumexp</c> of the filled relation, the form it replaced: values and gradients, masked and not, float32 and
/// float64, and the rows where the two could differ (empty, a NaN, ±∞).</summary>
public sealed class RowLogSumExpTests
{
    private const double NegInf = double.NegativeInfinity;

    /// <summary>libtorch's form: fill the dropped pairs with −∞, then <c>logsumexp</c> (its backward zeroes them).</summary>
    private static torch.Tensor Reference(torch.Tensor values, torch.Tensor? mask) =>
        mask is null ? values.logsumexp(-1) : Scalars.Where(mask, values, NegInf).logsumexp(-1);

    private static torch.Tensor Ours(torch.Tensor values, torch.Tensor? mask) =>
        mask is null ? Ops.RowLogSumExp(values) : Ops.RowLogSumExp(Ops.Over(values, mask));

    /// <summary>Value and gradient (of Σ_i c_i lse_i with random c) of both forms.</summary>
    private static (double[] Value, double[] Grad, double[] RefValue, double[] RefGrad) Both(torch.Tensor values, torch.Tensor? mask)
    {
        var c = torch.rand(values.shape[0], values.dtype);
        (double[], double[]) Run(System.Func<torch.Tensor, torch.Tensor?, torch.Tensor> f)
        {
            var leaf = values.detach().clone().requires_grad_();
            var lse = f(leaf, mask);
            (lse * c).sum().backward();
            return (lse.to(torch.float64).data<double>().ToArray(), leaf.grad!.to(torch.float64).data<double>().ToArray());
        }
        var (v, g) = Run(Ours);
        var (rv, rg) = Run(Reference);
        return (v, g, rv, rg);
    }

    [Theory]
    [InlineData(torch.ScalarType.Float32, true)]
    [InlineData(torch.ScalarType.Float32, false)]
    [InlineData(torch.ScalarType.Float64, true)]
    [InlineData(torch.ScalarType.Float64, false)]
    public void Equals_libtorchs_logsumexp_of_the_filled_relation(torch.ScalarType dtype, bool masked)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(7);
        var values = (torch.randn(37, 53, dtype) * 6).to(dtype);
        var mask = masked ? torch.rand(37, 53).lt(torch.tensor(0.4)) : null;
        if (mask is not null) mask[3].fill_(false);   // an empty row
        var (v, g, rv, rg) = Both(values, mask);
        // The same operations in the same order: equal to the last bit.
        Assert.Equal(rv, v);
        Assert.Equal(rg, g);
        if (mask is not null) Assert.Equal(NegInf, v[3]);
    }

    [Fact]
    public void A_selected_NaN_poisons_its_row_and_only_that_rows_selected_pairs()
    {
        using var scope = torch.NewDisposeScope();
        var values = torch.tensor(new[] { 1.0, double.NaN, 2.0, 0.5, 3.0, double.NaN }, new long[] { 2, 3 });
        // Row 0 selects its NaN; row 1 drops its NaN (column 2).
        var mask = torch.tensor(new[] { true, true, false, true, true, false }, new long[] { 2, 3 });
        var (v, g, rv, rg) = Both(values, mask);
        Assert.True(double.IsNaN(v[0]));
        Assert.False(double.IsNaN(v[1]));
        Assert.Equal(rv[1], v[1], 15);
        Assert.True(double.IsNaN(g[0]) && double.IsNaN(g[1]));
        Assert.Equal(0.0, g[2]);   // dropped, in the NaN row: never a gradient (exp(−∞ − NaN) would be NaN)
        Assert.Equal(rg[3..], g[3..]);
    }

    [Fact]
    public void Infinite_entries_give_libtorchs_values_and_rows_of_negative_infinity_no_gradient()
    {
        using var scope = torch.NewDisposeScope();
        var values = torch.tensor(new[] { double.PositiveInfinity, 1.0, 2.0, NegInf, NegInf, 0.0 }, new long[] { 2, 3 });
        var mask = torch.tensor(new[] { true, true, true, true, true, false }, new long[] { 2, 3 });
        var (v, g, rv, _) = Both(values, mask);
        Assert.Equal(rv, v);   // +∞ and −∞
        Assert.Equal(double.PositiveInfinity, v[0]);
        Assert.Equal(NegInf, v[1]);
        // A row whose selected pairs are all −∞: no NaN (libtorch's form gives exp(−∞ + ∞) = NaN there).
        Assert.Equal(new[] { 0.0, 0.0, 0.0 }, g[3..]);
    }

    [Fact]
    public void Broadcast_incoming_gradients_and_batched_relations()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        // [2, 5, 7]: the reduction runs over the last axis of a batch of relations; mean() hands back an expanded gradient.
        var values = torch.randn(2, 5, 7, torch.float64);
        var mask = torch.rand(2, 5, 7).lt(torch.tensor(0.7));
        var a = values.detach().clone().requires_grad_();
        var b = values.detach().clone().requires_grad_();
        Ops.RowLogSumExp(Ops.Over(a, mask)).clamp_min(-1e9).mean().backward();
        Reference(b, mask).clamp_min(-1e9).mean().backward();
        Assert.Equal(b.grad!.data<double>().ToArray(), a.grad!.data<double>().ToArray());
    }
}
