using static LossDsl.Dsl;

namespace LossDsl.Zoo
{
    /// <summary>Supervised contrastive loss (Khosla et al., 2020) with pytorch-metric-learning's average but without
    /// its guard: <c>l_i = −mean_{p ∈ P(i)} [s_ip − lse_{j ≠ i} s_ij]</c> with <c>s = cos / τ</c>, averaged over the
    /// anchors that have a positive. It equals PML's <c>SupConLoss</c> except on a batch with no negative pair (one
    /// class), where PML returns 0 and this loss still pulls the class together (as Khosla's code does). For either
    /// semantics exactly, use <see cref="SupConPml"/> or <see cref="SupConKhosla"/> (which also averages over every
    /// anchor). The log-sum-exp is fused by default.</summary>
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
