using LossDsl.Runtime;
using LossDsl.Runtime.Kernels;
using LossDsl.Runtime.Kernels.Formulas;
using LossDsl.Tests.Fusion;
using static TorchSharp.torch;

namespace LossDsl.Tests.Kernels;

/// <summary>The engine's online log-sum-exp over the whole float32 range of a contrastive logit: with 1/τ = 100
/// (CLIP's temperature 0.01) a row's values span [−100, 100], so a SIMD lane that is still empty when its first
/// value (below −88) arrives must not rescale its empty sum by e^{88+} = ∞ (which gave 0 · ∞ = NaN).</summary>
[Collection(EngineSettingsCollection.Name)]
public class LogSumExpRangeTests
{
    [Theory]
    [InlineData(16)]
    [InlineData(33)]
    [InlineData(64)]
    public void A_large_scale_stays_finite_and_equals_the_dense_value(int n)
    {
        using var scope = NewDisposeScope();
        manual_seed(n);
        var x = Ops.Normalize(randn(n, 4));
        var y = Ops.Normalize(randn(n, 4));
        var fused = PairFunction<ScaledRelation, AllPairs, LogSumExpReduce>.Apply(new ScaledRelation(100), default, PairOutput.Rows, x, y, PairMetric.Dot);
        var dense = x.matmul(y.t()).mul(100).logsumexp(1);
        Assert.True(FusionNumerics.RelativeError(fused, dense) <= 1e-4);
    }
}
