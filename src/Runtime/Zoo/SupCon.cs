using static LossDsl.Dsl;

namespace LossDsl.Zoo
{
    /// <summary>Supervised contrastive loss (Khosla et al., 2020) with pytorch-metric-learning's average but without
    /// its guard: <c>l_i = −mean_{p ∈ P(i)} [s_ip − lse_{j ≠ i} s_ij]</c> with <c>s = cos / τ</c>, averaged over the
    /// anchors that have a positive. It equals PML's <c>SupConLoss</c> except on a batch with no negative pair (one
    /// class), where PML returns 0 and this loss still pulls the class together (as Khosla's code does). For either
    /// semantics exactly, use <see cref="SupConPml"/> or <see cref="SupConKhosla"/> (which also averages over every
    /// anchor).
    /// <para>The count of the average comes from the labels (the anchors with a positive), never from the rounded
    /// values: PML's reducer counts the anchors whose loss is &gt; 0, the same set in exact arithmetic, but in float32 an
    /// easy anchor's tiny loss rounds to 0 and leaves the count (τ = 0.05, well separated classes: 21.39 where the exact
    /// value is 7.129, gradients 3× too large), and fused float32 then depended on a ±1-ulp residue. This loss gives the
    /// exact-arithmetic value in every precision, fused or not. The log-sum-exp and the positives' mean are fused by
    /// default.</para></summary>
    [Loss]
    public partial class SupCon
    {
        /// <summary>Temperature τ (default 0.1); a positive finite number.</summary>
        [Hyper, Temperature] public double Temperature { get; set; } = 0.1;

        [Term]
        Real Contrast(Embeddings z, Labels y)
        {
            var s = Pairwise(Normalize(z), Similarity.Dot) / Temperature;
            return SupConTerms.PerAnchor(s, y).MeanWhere(SameLabel(y).ExcludeSelf().HasAny());
        }
    }

    /// <summary>What the SupCon variants share (a DSL helper, inlined by the generator).</summary>
    public static class SupConTerms
    {
        /// <summary>Each anchor's loss <c>l_i = −mean_{p ∈ P(i)} [s_ip − lse_{j ≠ i} s_ij]</c> over its positives
        /// <c>P(i) = {p ≠ i : y_p = y_i}</c>, <c>[N]</c>; 0 for an anchor without a positive. The variants differ only in
        /// which anchors they average over.</summary>
        public static Vector PerAnchor(Relation s, Labels y) =>
            (s.Over(AllPairs().ExcludeSelf()).LogSumExp() - s).Over(SameLabel(y).ExcludeSelf()).Mean();
    }
}
