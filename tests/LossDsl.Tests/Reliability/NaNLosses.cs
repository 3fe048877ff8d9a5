using static LossDsl.Dsl;

namespace LossDsl.Tests.Reliability
{
    /// <summary>A NaN made inside the loss from finite inputs (the square root of a negative entry) before a fused
    /// log-sum-exp: the NaN must reach the value (<see cref="NumericKindsTests"/>). For inputs above −10 (the repository's
    /// random inputs) it is an ordinary loss.</summary>
    [Loss]
    public partial class NaNBeforeFusedLogSumExp
    {
        [Term]
        Real Lse(Embeddings z, Labels y) => (Pairwise(Sqrt(z + 10), Similarity.Dot) / 8).Over(DifferentLabel(y)).LogSumExp().Mean();
    }

    /// <summary>As <see cref="NaNBeforeFusedLogSumExp"/>, before a fused pair sum.</summary>
    [Loss]
    public partial class NaNBeforeFusedPairSum
    {
        [Term]
        Real Pairs(Embeddings z, Labels y) => Softplus(Pairwise(Sqrt(z + 10), Similarity.Dot) / 8).Over(SameLabel(y).ExcludeSelf()).MeanOverPairs();
    }
}
