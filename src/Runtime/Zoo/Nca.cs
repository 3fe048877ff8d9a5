using static LossDsl.Dsl;

namespace LossDsl.Zoo
{
    /// <summary>Neighbourhood Components Analysis (Goldberger et al., 2004), as pytorch-metric-learning 2.8.1's
    /// <c>NCALoss(softmax_scale)</c> with its default squared Euclidean distance of normalised embeddings: for each
    /// anchor i, <c>−log Σ_{j ∈ P(i)} softmax_{j ≠ i}(−s·d²_ij)</c>, i.e. <c>lse_{j ≠ i} − lse_{j ∈ P(i)}</c> of
    /// <c>−s·d²</c>, averaged over the anchors that have a positive (PML drops the others as zero
    /// probabilities). A batch of one, or one without positives, gives 0.</summary>
    [Loss]
    public partial class Nca
    {
        /// <summary>The softmax scale s (PML's default 1).</summary>
        [Hyper] public double SoftmaxScale { get; set; } = 1;

        [Term]
        Real Neighbours(Embeddings z, Labels y)
        {
            var logits = -SoftmaxScale * Pairwise(Normalize(z), Distance.SqEuclidean);
            var positives = SameLabel(y).ExcludeSelf();
            var perAnchor = logits.Over(AllPairs().ExcludeSelf()).LogSumExp() - logits.Over(positives).LogSumExp();
            return perAnchor.MeanWhere(positives.HasAny());
        }
    }
}
