using static LossDsl.Dsl;

namespace LossDsl.Zoo
{
    /// <summary>N-pair loss (Sohn, 2016, "Improved Deep Metric Learning with Multi-class N-pair Loss Objective"), as
    /// pytorch-metric-learning 2.8.1's <c>NPairsLoss()</c> with its default <c>DotProductSimilarity</c> (which normalises
    /// the embeddings: a cosine) and <c>MeanReducer</c>. PML keeps one positive pair per label
    /// (<c>convert_to_pos_pairs_with_unique_labels</c>): the label's first sample as the anchor and its second as the
    /// positive. Each anchor is then classified among all those positives:
    /// <c>mean_a [lse_{p ∈ positives} cos(z_a, z_p) − cos(z_a, z_{p(a)})]</c>. Labels with one sample take no part; a
    /// batch without a positive pair (a batch of one, all labels distinct) gives 0. One class gives one pair, whose loss
    /// is 0.</summary>
    [Loss]
    public partial class NPairs
    {
        [Term]
        Real Pairs(Embeddings z, Labels y)
        {
            var s = Pairwise(z, Similarity.Cosine);
            var rank = (SameLabel(y) & Earlier()).AsWeights().RowSum();           // earlier samples of the same label
            var anchors = (rank < 0.5) & SameLabel(y).ExcludeSelf().HasAny();      // each label's first sample, when it has a second
            var positives = ((rank > 0.5) & (rank < 1.5)).AsWeights().PerColumn(); // each label's second sample, as columns
            var perAnchor = s.Over(AllPairs().AsWeights() * positives).LogSumExp() - s.Over(SameLabel(y).AsWeights() * positives).Sum();
            return perAnchor.MeanWhere(anchors);
        }
    }
}
