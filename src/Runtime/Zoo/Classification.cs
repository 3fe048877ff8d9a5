using static LossDsl.Dsl;

namespace LossDsl.Zoo
{
    /// <summary>The Z-loss of de Brébisson and Vincent, 2016 ("The Z-loss: a shift and scale invariant classification loss
    /// belonging to the Spherical Family"; not PaLM/OLMo's z-loss, see <see cref="ZLoss"/>): each sample's logits
    /// <c>[N, C]</c> are standardised, <c>z = (o − mean(o)) / σ(o)</c> with the population σ, and
    /// <c>mean_i softplus(a (b − z_(i, y_i))) / a</c>. Invariant to shifting and scaling the logits. The paper gives no
    /// defaults (a and b are tuned per task; z ≤ √(C − 1)); a = 1, b = 1 are ours. All-equal logits (σ = 0) give
    /// z = 0, so a loss of <c>softplus(a·b)/a</c> with zero gradient (rounding in the mean can leave a tiny σ; z is then
    /// still finite).</summary>
    [Loss]
    public partial class SphericalZLoss
    {
        /// <summary>The slope a (&gt; 0).</summary>
        [Hyper] public double A { get; set; } = 1;

        /// <summary>The offset b: where the loss turns from linear to flat in z.</summary>
        [Hyper] public double B { get; set; } = 1;

        [Term]
        Real Z(Logits logits, Labels y)
        {
            var centred = logits - logits.RowMean();
            var variance = Square(centred).RowMean();
            var z = Where(variance > 0, centred / Sqrt(Where(variance > 0, variance, variance + 1)), centred * 0);
            return (Softplus(A * (B - z.Pick(y))) / A).Mean();
        }
    }

    /// <summary>Factor-attribution consistency ("Primary and Secondary Factor Consistency as Domain Knowledge to Guide
    /// Happiness Computing in Online Assessment", arXiv 2402.12398, 2024): two models' additive attributions of their
    /// predictions to the same F factors (<c>[N, F]</c>, e.g. SHAP values) are turned into importance distributions,
    /// <c>p_f = Σ_i |φ_if| / Σ_(i,f') |φ_if'|</c>, and their difference is penalised by <c>KL(p_reference ‖ p_model)</c>,
    /// which holds the primary and secondary order of the factors consistent across models. Our reading of the paper
    /// (no public code): the batch's mean absolute attribution as importance. A factor with zero importance in the
    /// reference adds 0; one with zero importance only in the model makes the loss infinite; all-zero attributions count
    /// as zero importance.</summary>
    [Loss]
    public partial class FactorAttributionConsistency
    {
        [Term]
        Real Consistency([Dims("N", "F")] Embeddings modelAttributions, [Dims("N", "F")] Embeddings referenceAttributions) =>
            KLPerSample(Importance(referenceAttributions).AsProbs(), Log(Importance(modelAttributions)).AsLogProbs()).Sum();

        /// <summary>The share of each factor in the batch's absolute attributions, <c>[F]</c>.</summary>
        private static Vector Importance(Embeddings attributions)
        {
            var total = Abs(attributions).Sum("N");
            return total / Maximum(total.Sum(), 1e-30);
        }
    }

    /// <summary>KECRS's knowledge losses (Zhang et al., 2021, "KECRS: Towards Knowledge-Enriched Conversational
    /// Recommendation System"): BagOfEntity, the bag-of-words loss of Zhao et al. (2017) over entities — the response's
    /// entities (a 0/1 bag <c>[N, E]</c>) should be likely under the model's entity distribution (<c>[N, E]</c> logits),
    /// <c>mean_i −Σ_e bag_ie log softmax(logits_i)_e</c> —; and Infusion, which pulls the word embedding and the entity
    /// embedding of each shared word together, <c>mean_p ‖word_(w_p) − entity_(e_p)‖²</c> over the pairs
    /// <c>[P, 2]</c> (word id, entity id) of the two tables. An empty bag adds 0; no pair gives 0.</summary>
    [Loss]
    public partial class Kecrs
    {
        [Term]
        Real BagOfEntity([Dims("N", "E")] Logits entityLogits, [Frozen, Dims("N", "E")] Vector bag) =>
            -(LogSoftmax(entityLogits) * bag).RowSum().Mean();

        [Term]
        Real Infusion([Dims("W", "D")] Embeddings words, [Dims("E", "D")] Embeddings entities, [Dims("P", "2")] Indices pairs)
        {
            var distances = Square(words.Rows(pairs.Column(0)) - entities.Rows(pairs.Column(1))).RowSum();
            return distances.Sum() / Maximum(distances.Count(), 1);
        }
    }
}
