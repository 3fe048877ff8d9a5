using static LossDsl.Dsl;

namespace LossDsl.Zoo
{
    /// <summary>Triplet margin loss over all triplets, as pytorch-metric-learning's <c>TripletMarginLoss</c>:
    /// <c>relu(d_ap − d_an + m)</c> for every anchor a, positive p ≠ a and negative n, with d the Euclidean
    /// distance of L2-normalised embeddings, averaged over the triplets with a positive loss.</summary>
    [Loss]
    public partial class TripletMargin
    {
        [Hyper] public double Margin { get; set; } = 0.2;

        [Term]
        Real Triplet(Embeddings z, Labels y) =>
            Relu(Pairwise(Normalize(z), Distance.Euclidean).Triplets(SameLabel(y).ExcludeSelf(), DifferentLabel(y)) + Margin)
            .MeanNonZero();
    }

    /// <summary>Triplet margin loss over pytorch-metric-learning's "hard" mined triplets
    /// (<c>TripletMarginMiner(type_of_triplets="hard")</c>): only triplets whose negative is at least as
    /// close as the positive (<c>d_an ≤ d_ap</c>, chosen without gradient) count.</summary>
    [Loss]
    public partial class TripletHardMined
    {
        [Hyper] public double Margin { get; set; } = 0.2;

        [Term]
        Real Triplet(Embeddings z, Labels y) =>
            Relu(Pairwise(Normalize(z), Distance.Euclidean).Triplets(SameLabel(y).ExcludeSelf(), DifferentLabel(y)).MineHard() + Margin)
            .MeanNonZero();
    }

    /// <summary>Batch-hard triplet loss (Hermans et al., 2017): per anchor, the farthest positive against the
    /// closest negative, <c>mean_a relu(max_p d_ap − min_n d_an + m)</c>, on L2-normalised embeddings. An
    /// anchor without positives or negatives contributes 0.</summary>
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
}
