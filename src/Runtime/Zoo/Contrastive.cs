using static LossDsl.Dsl;

namespace LossDsl.Zoo
{
    /// <summary>The pair-based contrastive loss (Hadsell et al., 2006), as pytorch-metric-learning's
    /// <c>ContrastiveLoss(pos_margin=0, neg_margin=1)</c> with its default <c>LpDistance</c> and
    /// <c>AvgNonZeroReducer</c>: <c>mean_{&gt;0} relu(d_ap − posMargin)</c> over the ordered positive pairs
    /// (a ≠ p, same label) plus <c>mean_{&gt;0} relu(negMargin − d_an)</c> over the ordered negative pairs, each
    /// averaged over its strictly positive terms only (0 when none), with <c>d</c> the Euclidean distance of
    /// L2-normalised embeddings (not squared). Identical rows are exactly 0 apart, so with <c>posMargin = 0</c> a positive
    /// pair of identical embeddings adds nothing and is not counted, as in exact arithmetic (PML's <c>torch.cdist</c> is
    /// exact for up to 25 rows; beyond, its matrix-product path leaves identical rows about 1e-6 apart and counts them).
    /// The other counts read the computed hinge, as in the reference: a pair within rounding of a margin may count in
    /// one precision and not in another.</summary>
    [Loss]
    public partial class Contrastive
    {
        /// <summary>Positive pairs closer than this cost nothing (pytorch-metric-learning's default 0).</summary>
        [Hyper] public double PosMargin { get; set; } = 0;

        /// <summary>Negative pairs farther than this cost nothing (pytorch-metric-learning's default 1).</summary>
        [Hyper] public double NegMargin { get; set; } = 1;

        [Term]
        Real Positive(Embeddings z, Labels y) =>
            Relu(Pairwise(Normalize(z), Distance.Euclidean) - PosMargin)
            .Over(SameLabel(y).ExcludeSelf())
            .MeanNonZeroOverPairs();

        [Term]
        Real Negative(Embeddings z, Labels y) =>
            Relu(NegMargin - Pairwise(Normalize(z), Distance.Euclidean))
            .Over(DifferentLabel(y))
            .MeanNonZeroOverPairs();
    }
}
