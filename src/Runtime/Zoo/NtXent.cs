using static LossDsl.Dsl;

namespace LossDsl.Zoo
{
    /// <summary>NT-Xent / InfoNCE (SimCLR), as pytorch-metric-learning's <c>NTXentLoss</c>: for every
    /// ordered positive pair (a, p), <c>−log(e^{s_ap} / (e^{s_ap} + Σ_{n: y_n ≠ y_a} e^{s_an}))</c> with
    /// <c>s = cos / τ</c>, averaged over positive pairs. Written as <c>softplus(lse_n s_an − s_ap)</c>, so the
    /// negatives' log-sum-exp is one masked row reduction (fused by default).</summary>
    [Loss]
    public partial class NtXent
    {
        /// <summary>Temperature τ (pytorch-metric-learning's default 0.07).</summary>
        [Hyper, Temperature] public double Temperature { get; set; } = 0.07;

        [Term]
        Real Contrast(Embeddings z, Labels y) =>
            Softplus(
                (Pairwise(Normalize(z), Similarity.Dot) / Temperature).Over(DifferentLabel(y)).LogSumExp()
                - Pairwise(Normalize(z), Similarity.Dot) / Temperature)
            .Over(SameLabel(y).ExcludeSelf())
            .MeanOverPairs();
    }
}
