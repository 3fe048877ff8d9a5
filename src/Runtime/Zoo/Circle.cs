using static LossDsl.Dsl;

namespace LossDsl.Zoo
{
    /// <summary>Circle loss (Sun et al., 2020, "Circle Loss: A Unified Perspective of Pair Similarity
    /// Optimization"), as pytorch-metric-learning 2.8.1's <c>CircleLoss(m, gamma)</c> with cosine similarity: for
    /// each anchor i, <c>softplus(lse_{p ∈ P(i)} −γ α_p (s_ip − Δ_p) + lse_{n ∈ Neg(i)} γ α_n (s_in − Δ_n))</c> with
    /// <c>α_p = relu(1 + m − s_ip)</c>, <c>α_n = relu(s_in + m)</c> held constant (detached, as in the paper),
    /// <c>Δ_p = 1 − m</c>, <c>Δ_n = m</c>; averaged over the anchors that have a positive and a negative. PML
    /// averages over the anchors whose loss is &gt; 0 (its AvgNonZeroReducer); in exact arithmetic that is the
    /// same set, but in float32 a very easy anchor's loss rounds to 0 and would leave PML's count: here the count
    /// comes from the labels alone. Single-class batches and batches of one give 0.</summary>
    [Loss]
    public partial class Circle
    {
        /// <summary>The relaxation margin m (PML's default 0.4).</summary>
        [Hyper] public double M { get; set; } = 0.4;

        /// <summary>The scale γ (PML's default 80).</summary>
        [Hyper] public double Gamma { get; set; } = 80;

        [Term]
        Real Pairs(Embeddings z, Labels y)
        {
            var s = Pairwise(z, Similarity.Cosine);
            var positives = SameLabel(y).ExcludeSelf();
            var negatives = DifferentLabel(y);
            var positiveLogits = -Gamma * Relu(1 + M - Frozen(s)) * (s - (1 - M));
            var negativeLogits = Gamma * Relu(Frozen(s) + M) * (s - M);
            var perAnchor = Softplus(positiveLogits.Over(positives).LogSumExp() + negativeLogits.Over(negatives).LogSumExp());
            return perAnchor.MeanWhere(positives.HasAny() & negatives.HasAny());
        }
    }
}
