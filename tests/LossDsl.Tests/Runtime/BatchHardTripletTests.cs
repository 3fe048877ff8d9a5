using System.Collections.Generic;
using System.Linq;
using LossDsl.Runtime;
using LossDsl.Tests.Oracle;
using LossDsl.Zoo;
using TorchSharp;

namespace LossDsl.Tests.Runtime;

/// <summary>Batch-hard triplet (Hermans et al.; pytorch-metric-learning's miner + loss) from the DSL against a direct,
/// loop-based computation of each one's documented anchors.</summary>
public sealed class BatchHardTripletTests
{
    private const double Margin = 0.2;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Matches_a_direct_computation_in_value_and_gradient(bool pml)
    {
        using var scope = torch.NewDisposeScope();
        // Class 3 has one sample: that anchor has no positive; it adds 0 to Hermans' mean over all N, and PML leaves it out.
        var labels = new long[] { 0, 1, 0, 2, 1, 0, 2, 1, 3, 2 };
        var y = torch.tensor(labels);

        var z = TestData.Randn(11, labels.Length, 4).requires_grad_();
        var ir = pml ? new BatchHardTripletPml { Margin = Margin }.Trace() : new BatchHardTriplet { Margin = Margin }.Trace();
        using var result = IrInterpreter.Evaluate(ir, new Dictionary<string, torch.Tensor> { ["z"] = z, ["y"] = y });
        result.Total.backward();

        var zRef = z.detach().clone().requires_grad_();
        var expected = Direct(zRef, labels, pml);
        expected.backward();

        Assert.True(expected.item<double>() > 0);
        Assert.True(Tolerance.RelativeError(result.Total.item<double>(), expected.item<double>()) <= 1e-12);
        Assert.True(Tolerance.Matches(z.grad!, zRef.grad!, 1e-10, out var error), $"gradient off by {error:E2}");
    }

    /// <summary><c>(1/N) Σ_a relu(max_p d_ap − min_n d_an + m)</c> over all N anchors, those without a positive or a negative
    /// adding 0 (Hermans), or the mean over the anchors with both whose hinge is &gt; 0 (PML's miner + AvgNonZeroReducer),
    /// with d computed per pair as <c>‖z_a − z_b‖</c> of normalised rows and the hardest pairs chosen by C# loops.</summary>
    private static torch.Tensor Direct(torch.Tensor z, long[] labels, bool pml)
    {
        var n = labels.Length;
        var zn = torch.nn.functional.normalize(z, dim: 1);
        torch.Tensor D(int a, int b) => (zn[a] - zn[b]).square().sum().sqrt();
        var dist = new double[n, n];
        for (var a = 0; a < n; a++)
            for (var b = 0; b < n; b++)
                dist[a, b] = a == b ? 0 : D(a, b).item<double>();

        var terms = new List<torch.Tensor>();
        for (var a = 0; a < n; a++)
        {
            var positives = Enumerable.Range(0, n).Where(p => p != a && labels[p] == labels[a]).ToList();
            var negatives = Enumerable.Range(0, n).Where(k => labels[k] != labels[a]).ToList();
            if (positives.Count == 0 || negatives.Count == 0) continue;
            var hardestPositive = positives.MaxBy(p => dist[a, p]);
            var hardestNegative = negatives.MinBy(k => dist[a, k]);
            terms.Add((D(a, hardestPositive) - D(a, hardestNegative) + Margin).relu());
        }
        Assert.True(terms.Count > 1 && terms.Count < n);
        if (!pml) return torch.stack(terms).sum() / n;
        terms = terms.Where(t => t.item<double>() > 0).ToList();
        return torch.stack(terms).sum() / terms.Count;
    }
}
