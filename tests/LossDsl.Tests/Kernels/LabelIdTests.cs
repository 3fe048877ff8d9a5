using System.Linq;
using LossDsl.Runtime.Kernels;
using LossDsl.Runtime.Kernels.Formulas;
using static TorchSharp.torch;

namespace LossDsl.Tests.Kernels;

/// <summary>The engine maps labels to dense ids before its loops: through a table when the labels lie within a few
/// times their count (class ids, negative ones included), through a dictionary otherwise (hashes, sample ids near
/// 2^62). Both give ids in order of first appearance, so relabelling a batch injectively changes no result: the
/// masked log-sum-exp (label compare in the SIMD loops) and the same-label sum (label groups built from the ids).</summary>
public class LabelIdTests
{
    private static (Tensor Lse, Tensor Positives) Run(Tensor x, long[] labels)
    {
        var y = tensor(labels, ScalarType.Int64);
        var lse = PairFunction<ScaledRelation, DifferentLabel, LogSumExpReduce>.Apply(new ScaledRelation(3), default, PairOutput.Rows, x, null, PairMetric.Dot, new PairExtras { RowLabels = y });
        var positives = PairFunction<ScaledRelation, ExcludeSelf<SameLabel>, SumReduce>.Apply(new ScaledRelation(3), default, PairOutput.Rows, x, null, PairMetric.Dot, new PairExtras { RowLabels = y });
        return (lse, positives);
    }

    [Theory]
    [InlineData(-40L, 1L)]             // table, negative labels
    [InlineData(1_000_000_000_000L, 1L)] // table: a large offset, a small span
    [InlineData(0L, 1_000_000_007L)]   // dictionary: spread far wider than the batch
    [InlineData(-(1L << 62), 1L << 58)] // dictionary: both signs, near the ends of long
    public void Relabelling_a_batch_changes_nothing(long offset, long stride)
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        const int n = 300;
        var x = randn(n, 24, ScalarType.Float64);
        var classes = Enumerable.Range(0, n).Select(i => (long)((i * 7) % 13)).ToArray();
        var relabelled = classes.Select(c => offset + c * stride).ToArray();
        var (lse, positives) = Run(x, classes);
        var (lse2, positives2) = Run(x, relabelled);
        Assert.True(lse.eq(lse2).all().item<bool>(), "log-sum-exp rows differ");
        Assert.True(positives.eq(positives2).all().item<bool>(), "same-label sums differ");
        Assert.True(positives.abs().sum().item<double>() > 0);
    }
}
