using static LossDsl.Dsl;

namespace LossDsl.Zoo
{
    /// <summary>Multi-similarity loss (Wang et al., 2019), as pytorch-metric-learning's
    /// <c>MultiSimilarityLoss(alpha=2, beta=50, base=0.5)</c> with its default <c>CosineSimilarity</c> and
    /// <c>MeanReducer</c>: for each anchor i,
    /// <c>(1/α)·log(1 + Σ_{p ∈ P(i)} e^{−α(s_ip − base)}) + (1/β)·log(1 + Σ_{n ∈ Neg(i)} e^{β(s_in − base)})</c>,
    /// averaged over all N anchors, with <c>s</c> the cosine similarity, <c>P(i)</c> the other samples of
    /// i's label and <c>Neg(i)</c> the samples of other labels. Written as <c>softplus(lse)</c>; an empty set
    /// gives <c>lse = −∞</c> and contributes 0. No pair mining (that is the separate MultiSimilarityMiner). Both
    /// log-sum-exps fuse as written: the generator moves the offset <c>base</c> out of them and reads the cosine
    /// as a dot product of normalised rows.</summary>
    [Loss]
    public partial class MultiSimilarity
    {
        /// <summary>The positive pairs' scale α (pytorch-metric-learning's default 2).</summary>
        [Hyper, Temperature] public double Alpha { get; set; } = 2;

        /// <summary>The negative pairs' scale β (pytorch-metric-learning's default 50).</summary>
        [Hyper, Temperature] public double Beta { get; set; } = 50;

        /// <summary>The similarity offset (pytorch-metric-learning's default 0.5).</summary>
        [Hyper] public double Base { get; set; } = 0.5;

        [Term]
        Real Positive(Embeddings z, Labels y) =>
            ((1 / Alpha) * Softplus((-Alpha * (Pairwise(z, Similarity.Cosine) - Base)).Over(SameLabel(y).ExcludeSelf()).LogSumExp())).Mean();

        [Term]
        Real Negative(Embeddings z, Labels y) =>
            ((1 / Beta) * Softplus((Beta * (Pairwise(z, Similarity.Cosine) - Base)).Over(DifferentLabel(y)).LogSumExp())).Mean();
    }
}
