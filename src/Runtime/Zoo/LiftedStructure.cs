using static LossDsl.Dsl;

namespace LossDsl.Zoo
{
    /// <summary>Lifted structured loss (Oh Song et al., 2016), as pytorch-metric-learning 2.8.1's
    /// <c>LiftedStructureLoss(neg_margin, pos_margin)</c> with Euclidean distances of normalised embeddings: for
    /// every ordered positive pair (i, j), <c>½ relu(log(e^{L_i} + e^{L_j}) + d_ij − m_pos)²</c> with
    /// <c>L_i = lse_{n ∈ Neg(i)} (m_neg − d_in)</c> (the negatives of both ends of the pair), averaged over the
    /// positive pairs. A batch without negatives gives 0.</summary>
    [Loss]
    public partial class LiftedStructure
    {
        /// <summary>The negatives' margin (PML's default 1).</summary>
        [Hyper] public double NegMargin { get; set; } = 1;

        /// <summary>The positives' margin (PML's default 0).</summary>
        [Hyper] public double PosMargin { get; set; } = 0;

        [Term]
        Real Pairs(Embeddings z, Labels y)
        {
            var d = Pairwise(Normalize(z), Distance.Euclidean);
            var negatives = (NegMargin - d).Over(DifferentLabel(y)).LogSumExp();
            var pair = LogAddExp(negatives.PerRow(), negatives.PerColumn()) + d - PosMargin;
            return (Square(Relu(pair)) / 2).Over(SameLabel(y).ExcludeSelf()).MeanOverPairs();
        }
    }
}
