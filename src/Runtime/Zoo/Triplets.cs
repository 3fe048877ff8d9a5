using static LossDsl.Dsl;

namespace LossDsl.Zoo
{
    /// <summary>Triplet margin loss over all triplets, as pytorch-metric-learning 2.8.1's <c>TripletMarginLoss(margin)</c>
    /// with its default <c>LpDistance</c> and <c>AvgNonZeroReducer</c>: <c>relu(d_ap − d_an + m)</c> for every anchor a,
    /// positive p ≠ a and negative n, with d the Euclidean distance of L2-normalised embeddings (exactly 0 for identical
    /// rows), averaged over the triplets whose loss is &gt; 0 (0 when none is). As in the reference, that count reads the
    /// computed hinge: a triplet within rounding of the margin boundary (<c>d_an − d_ap = m</c>) may count in one
    /// precision and not in another.</summary>
    [Loss]
    public partial class TripletMargin
    {
        [Hyper] public double Margin { get; set; } = 0.2;

        [Term]
        Real Triplet(Embeddings z, Labels y) =>
            Relu(Pairwise(Normalize(z), Distance.Euclidean).Triplets(SameLabel(y).ExcludeSelf(), DifferentLabel(y)) + Margin)
            .MeanNonZero();
    }

    /// <summary>Triplet margin loss over pytorch-metric-learning 2.8.1's "hard" mined triplets
    /// (<c>TripletMarginMiner(margin, type_of_triplets="hard")</c> then <c>TripletMarginLoss(margin)</c>): only triplets
    /// whose negative is at least as close as the positive (<c>d_an ≤ d_ap</c>, chosen without gradient) count, averaged
    /// over those whose loss is &gt; 0 (<c>AvgNonZeroReducer</c>, whose count reads the computed hinge as in
    /// <see cref="TripletMargin"/>).</summary>
    [Loss]
    public partial class TripletHardMined
    {
        [Hyper] public double Margin { get; set; } = 0.2;

        [Term]
        Real Triplet(Embeddings z, Labels y) =>
            Relu(Pairwise(Normalize(z), Distance.Euclidean).Triplets(SameLabel(y).ExcludeSelf(), DifferentLabel(y)).MineHard() + Margin)
            .MeanNonZero();
    }

    /// <summary>Batch-hard triplet loss (Hermans et al., 2017, "In Defense of the Triplet Loss"): per anchor, the farthest
    /// positive against the closest negative, <c>relu(max_p d_ap − min_n d_an + m)</c>, on L2-normalised embeddings,
    /// averaged over <b>all N anchors</b>, as the authors' code takes the mean over every anchor of the batch. An anchor
    /// without a positive or a negative (a singleton class, a single-class batch) contributes 0 and is counted: in the
    /// P×K batches the method samples every anchor has both. pytorch-metric-learning's <c>BatchHardMiner</c> +
    /// <c>TripletMarginLoss</c> average instead over the anchors that have both whose hinge is &gt; 0: see
    /// <see cref="BatchHardTripletPml"/>. N = 1 and one-class batches give 0.</summary>
    [Loss]
    public partial class BatchHardTriplet
    {
        [Hyper] public double Margin { get; set; } = 0.2;

        [Term]
        Real Triplet(Embeddings z, Labels y) =>
            Relu(Pairwise(Normalize(z), Distance.Euclidean).Over(SameLabel(y).ExcludeSelf()).Max()
                 - Pairwise(Normalize(z), Distance.Euclidean).Over(DifferentLabel(y)).Min()
                 + Margin)
            .Mean();
    }

    /// <summary>Batch-hard triplets as pytorch-metric-learning 2.8.1 computes them: <c>BatchHardMiner()</c> (per anchor
    /// with a positive and a negative, the farthest positive and the closest negative by <c>LpDistance</c> of normalised
    /// embeddings) then <c>TripletMarginLoss(margin)</c> with its <c>AvgNonZeroReducer</c>: the mean of
    /// <c>relu(d_ap − d_an + m)</c> over the mined anchors whose loss is &gt; 0 (0 when none is). Differs from
    /// <see cref="BatchHardTriplet"/> (Hermans' mean over all N anchors) in leaving out of the count the anchors without a
    /// positive or a negative and those already satisfied by the margin; as in the reference, the latter reads the
    /// computed hinge (an anchor within rounding of the margin may count in one precision only).</summary>
    [Loss]
    public partial class BatchHardTripletPml
    {
        [Hyper] public double Margin { get; set; } = 0.2;

        [Term]
        Real Triplet(Embeddings z, Labels y)
        {
            var d = Pairwise(Normalize(z), Distance.Euclidean);
            // An anchor without a positive or a negative has max − min = −∞: relu gives 0 and MeanNonZero leaves it out.
            return Relu(d.Over(SameLabel(y).ExcludeSelf()).Max() - d.Over(DifferentLabel(y)).Min() + Margin).MeanNonZero();
        }
    }
}
