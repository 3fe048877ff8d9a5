using static LossDsl.Dsl;

namespace LossDsl.Zoo
{
    /// <summary>Triplet margin loss over pytorch-metric-learning 2.8.1's semi-hard triplets: <c>TripletMarginLoss(margin)</c>
    /// fed by <c>TripletMarginMiner(margin=minerMargin, type_of_triplets="semihard")</c>, both on the Euclidean distance of
    /// L2-normalised embeddings. The miner keeps (without gradient) the triplets whose negative is farther than the
    /// positive but within the miner's margin, <c>0 &lt; d_an − d_ap ≤ minerMargin</c>; the loss is
    /// <c>relu(d_ap − d_an + margin)</c> averaged over those with a positive value (AvgNonZeroReducer, whose count, as in the
    /// reference, reads the computed hinge: a triplet within rounding of the boundary may count in one precision only).
    /// No semi-hard triplet (one class, a batch of one) gives 0.</summary>
    [Loss]
    public partial class TripletSemiHardMined
    {
        /// <summary>The loss's margin (PML's <c>TripletMarginLoss</c> default 0.05).</summary>
        [Hyper] public double Margin { get; set; } = 0.05;

        /// <summary>The miner's margin (PML's <c>TripletMarginMiner</c> default 0.2).</summary>
        [Hyper] public double MinerMargin { get; set; } = 0.2;

        [Term]
        Real Triplet(Embeddings z, Labels y) =>
            Relu(Pairwise(Normalize(z), Distance.Euclidean).Triplets(SameLabel(y).ExcludeSelf(), DifferentLabel(y)).MineSemiHard(MinerMargin) + Margin)
            .MeanNonZero();
    }

    /// <summary>The contrastive loss with cosine similarity, as pytorch-metric-learning 2.8.1's
    /// <c>ContrastiveLoss(pos_margin, neg_margin, distance=CosineSimilarity())</c>: for a similarity PML's margins turn
    /// around (<c>distance.margin(x, y) = y − x</c>), so <c>mean_{&gt;0} relu(posMargin − s_ap)</c> over the ordered positive
    /// pairs plus <c>mean_{&gt;0} relu(s_an − negMargin)</c> over the ordered negative pairs, each averaged over its
    /// strictly positive terms (AvgNonZeroReducer per sub-loss; 0 when none). The defaults are the ones PML's
    /// documentation gives for an inverted distance (<c>pos_margin = 1</c>, <c>neg_margin = 0</c>); its constructor's
    /// defaults (0, 1) suit distances, and with a similarity they would silence the negative term. Batches without pairs
    /// give 0. As in the reference, the counts read the computed similarities: the cosine of two identical embeddings is
    /// 1 only up to rounding, so with <c>posMargin = 1</c> such a pair may add a term of ~1e-7 and one to the count (in
    /// float32 more often than in float64); exact arithmetic would leave it out.</summary>
    [Loss]
    public partial class CosineContrastive
    {
        /// <summary>Positive pairs more similar than this cost nothing (1).</summary>
        [Hyper] public double PosMargin { get; set; } = 1;

        /// <summary>Negative pairs less similar than this cost nothing (0).</summary>
        [Hyper] public double NegMargin { get; set; } = 0;

        [Term]
        Real Positive(Embeddings z, Labels y) =>
            Relu(PosMargin - Pairwise(z, Similarity.Cosine)).Over(SameLabel(y).ExcludeSelf()).MeanNonZeroOverPairs();

        [Term]
        Real Negative(Embeddings z, Labels y) =>
            Relu(Pairwise(z, Similarity.Cosine) - NegMargin).Over(DifferentLabel(y)).MeanNonZeroOverPairs();
    }
}
