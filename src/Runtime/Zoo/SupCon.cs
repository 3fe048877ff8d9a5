using static LossDsl.Dsl;

namespace LossDsl.Zoo
{
    /// <summary>Supervised contrastive loss (Khosla et al., 2020), as pytorch-metric-learning's
    /// <c>SupConLoss</c>: <c>l_i = −mean_{p ∈ P(i)} [s_ip − lse_{j ≠ i} s_ij]</c> with <c>s = cos / τ</c>,
    /// averaged over the anchors that have a positive. The log-sum-exp is fused by default.</summary>
    [Loss]
    public partial class SupCon
    {
        /// <summary>Temperature τ (default 0.1).</summary>
        [Hyper] public double Temperature { get; set; } = 0.1;

        [Term]
        Real Contrast(Embeddings z, Labels y) =>
            ((Pairwise(Normalize(z), Similarity.Dot) / Temperature).Over(AllPairs().ExcludeSelf()).LogSumExp()
             - Pairwise(Normalize(z), Similarity.Dot) / Temperature)
            .Over(SameLabel(y).ExcludeSelf())
            .Mean()
            .MeanNonZero();
    }
}
