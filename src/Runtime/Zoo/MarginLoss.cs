using static LossDsl.Dsl;

namespace LossDsl.Zoo
{
    /// <summary>Margin loss (Wu et al., 2017, "Sampling Matters in Deep Embedding Learning"), as
    /// pytorch-metric-learning 2.8.1's <c>MarginLoss(margin, nu, beta)</c> with a fixed β, Euclidean distances of
    /// normalised embeddings and all triplets: <c>Σ_(a,p,n) [relu(d_ap − β + m) + relu(β − d_an + m)]</c> divided
    /// by the number of those terms that are &gt; 0 (PML's DivisorReducer; 0 when none is; as in the reference, that count
    /// reads the computed hinges, so a term within rounding of 0 may count in one precision only). PML keeps β in a
    /// float32 tensor: pass <c>(float)β</c> to reproduce it exactly. The learnable-β regulariser (ν) is not
    /// included: with a fixed β it is 0.</summary>
    [Loss]
    public partial class MarginLoss
    {
        /// <summary>The margin m (PML's default 0.2).</summary>
        [Hyper] public double Margin { get; set; } = 0.2;

        /// <summary>The boundary β between positive and negative distances (PML's default 1.2).</summary>
        [Hyper] public double Beta { get; set; } = 1.2;

        [Term]
        Real Triplets(Embeddings z, Labels y)
        {
            var d = Pairwise(Normalize(z), Distance.Euclidean);
            var positives = SameLabel(y).ExcludeSelf();
            var negatives = DifferentLabel(y);
            var pull = Relu(d.AnchorPositive(positives, negatives) - Beta + Margin);
            var push = Relu(Beta - d.AnchorNegative(positives, negatives) + Margin);
            return (pull.Sum() + push.Sum()) / Maximum(pull.CountPositive() + push.CountPositive(), 1);
        }
    }
}
