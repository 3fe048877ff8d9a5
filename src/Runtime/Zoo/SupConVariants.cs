using static LossDsl.Dsl;

namespace LossDsl.Zoo
{
    /// <summary>Supervised contrastive loss exactly as pytorch-metric-learning 2.8.1's <c>SupConLoss(temperature)</c>
    /// with its default <c>CosineSimilarity</c> and <c>AvgNonZeroReducer</c>: with <c>s = cos / τ</c>,
    /// <c>l_i = −mean_{p ∈ P(i)} [s_ip − lse_{j ≠ i} s_ij]</c>, averaged over the anchors whose loss is &gt; 0 (those with a
    /// positive), and PML's guard: <b>0 when the batch has no negative pair</b> (one class) or no positive pair. Khosla et
    /// al.'s own code has no such guard and averages over every anchor: see <see cref="SupConKhosla"/>. A batch of one gives
    /// 0. The log-sum-exp and the positives' mean are fused.
    /// <para>The average counts the anchors that have a positive while the batch has a negative pair, from the labels: when
    /// the batch has a negative pair every anchor has a negative, so an anchor with a positive has <c>l_i &gt; 0</c> in exact
    /// arithmetic and this is PML's set. PML itself counts the computed losses that are &gt; 0, which in float32 drops easy
    /// anchors whose loss rounds to 0; this loss gives the exact-arithmetic value in every precision.</para></summary>
    [Loss]
    public partial class SupConPml
    {
        /// <summary>Temperature τ (PML's default 0.1); a positive finite number.</summary>
        [Hyper, Temperature] public double Temperature { get; set; } = 0.1;

        [Term]
        Real Contrast(Embeddings z, Labels y)
        {
            var s = Pairwise(Normalize(z), Similarity.Dot) / Temperature;
            // An anchor has a negative exactly when the batch has a negative pair (two labels or more): PML's guard.
            return SupConTerms.PerAnchor(s, y).MeanWhere(SameLabel(y).ExcludeSelf().HasAny() & DifferentLabel(y).HasAny());
        }
    }

    /// <summary>Supervised contrastive loss as Khosla et al.'s own code (2020, "Supervised Contrastive Learning",
    /// HobbitLong/SupContrast <c>losses.py</c> <c>SupConLoss</c>, <c>contrast_mode='all'</c>, views stacked as rows):
    /// <c>(τ/τ_base) · mean_i −mean_{p ∈ P(i)} [s_ip − lse_{j ≠ i} s_ij]</c> with <c>s = cos / τ</c>, averaged over
    /// <b>every</b> anchor (an anchor without a positive contributes 0, as the code's guard <c>mask_pos_pairs &lt; 1e-6 → 1</c>),
    /// and no guard for a batch without negatives: one class still pulls its samples together. A batch of one gives 0.
    /// Compare <see cref="SupConPml"/>.</summary>
    [Loss]
    public partial class SupConKhosla
    {
        /// <summary>Temperature τ (SupContrast's default 0.07); a positive finite number.</summary>
        [Hyper, Temperature] public double Temperature { get; set; } = 0.07;

        /// <summary>The base temperature τ_base of the loss's scale τ/τ_base (SupContrast's default 0.07); a positive finite number.</summary>
        [Hyper, Temperature] public double BaseTemperature { get; set; } = 0.07;

        [Term]
        Real Contrast(Embeddings z, Labels y)
        {
            var s = Pairwise(Normalize(z), Similarity.Dot) / Temperature;
            return Temperature / BaseTemperature * SupConTerms.PerAnchor(s, y).Mean();
        }
    }

    /// <summary>Multi-label supervised contrastive loss: SupCon whose positives are weighted by label overlap. The labels
    /// are a multi-hot matrix <c>[N, L]</c> (floats, 1 where a sample has a label); pairs weigh their Jaccard overlap
    /// <c>w_ij = |Y_i ∩ Y_j| / |Y_i ∪ Y_j|</c> (j ≠ i), and
    /// <c>l_i = −Σ_j w_ij [s_ij − lse_{k ≠ i} s_ik] / Σ_j w_ij</c> with <c>s = cos / τ</c>, averaged over the anchors that
    /// share a label with some other sample. pytorch-metric-learning 2.8.1 has no multi-label SupCon; this is the stated
    /// idea (a label matrix instead of class indices) in the Jaccard-weighted form, chosen because with one-hot labels it
    /// is exactly <see cref="SupConPml"/>'s per-anchor loss and average. No overlapping pair (a batch of one) gives 0.</summary>
    [Loss]
    public partial class MultiLabelSupCon
    {
        /// <summary>Temperature τ (default 0.1, as PML's SupCon); a positive finite number.</summary>
        [Hyper, Temperature] public double Temperature { get; set; } = 0.1;

        [Term]
        Real Contrast(Embeddings z, [Frozen] Embeddings labels)
        {
            var s = Pairwise(Normalize(z), Similarity.Dot) / Temperature;
            var shared = Pairwise(labels, Similarity.Dot);
            var count = labels.RowSum();
            var overlap = shared / Maximum(count.PerRow() + count.PerColumn() - shared, 1) * AllPairs().ExcludeSelf().AsWeights();
            var perAnchor = (s.Over(AllPairs().ExcludeSelf()).LogSumExp() - s).Over(overlap).Mean();
            return perAnchor.MeanWhere(overlap.RowSum() > 0);
        }
    }
}
