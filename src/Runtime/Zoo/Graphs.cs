using static LossDsl.Dsl;

namespace LossDsl.Zoo
{
    /// <summary>ComplEx (Trouillon et al., 2016, "Complex Embeddings for Simple Link Prediction") with self-adversarial
    /// negative sampling, as the RotatE authors' <c>KGEModel.train_step</c> with <c>model_name="ComplEx"</c> (entities and
    /// relations complex, the real and imaginary halves of <c>[E, 2H]</c> and <c>[R, 2H]</c>): score
    /// <c>Re⟨h, r, conj(t)⟩ = Σ (h_re r_re − h_im r_im) t_re + (h_re r_im + h_im r_re) t_im</c>, the loss as
    /// <see cref="TransE"/> (positives <c>[N, 3]</c>, negatives <c>[N, K, 3]</c>, subsampling weights, L3 regulariser).</summary>
    [Loss]
    public partial class ComplEx
    {
        /// <summary>The self-adversarial temperature α (1; 0 weighs every negative equally).</summary>
        [Hyper] public double AdversarialTemperature { get; set; } = 1;

        /// <summary>The L3 regularisation λ (0: none).</summary>
        [Hyper] public double Regularization { get; set; } = 0;

        [Term(Weight = 0.5)]
        Real Positive([Dims("E", "D")] Embeddings entities, [Dims("R", "D")] Embeddings relations,
            [Dims("N", "3")] Indices positives, Vector weights) =>
            -(LogSigmoid(KgScores.ComplEx(entities, relations, positives)) * weights).Sum() / weights.Sum();

        [Term(Weight = 0.5)]
        Real Negative([Dims("E", "D")] Embeddings entities, [Dims("R", "D")] Embeddings relations,
            [Dims("N", "K", "3")] Indices negatives, Vector weights) =>
            -(KnowledgeGraph.SelfAdversarial(KgScores.ComplEx(entities, relations, negatives), AdversarialTemperature) * weights).Sum() / weights.Sum();

        [Term]
        Real Regularizer([Dims("E", "D")] Embeddings entities, [Dims("R", "D")] Embeddings relations) =>
            Regularization * KnowledgeGraph.CubedL3(entities, relations);
    }

    /// <summary>Knowledge-graph scores of index triples (head, relation, tail) over entity and relation tables, shared by the
    /// losses (inlined by the generator): higher is more plausible.</summary>
    public static class KgScores
    {
        /// <summary>ComplEx: <c>Re⟨h, r, conj(t)⟩</c> with complex rows stored as (real, imaginary) halves.</summary>
        public static Vector ComplEx(Embeddings entities, Embeddings relations, Indices triples)
        {
            var head = entities.Rows(triples.Column(0));
            var relation = relations.Rows(triples.Column(1));
            var tail = entities.Rows(triples.Column(2));
            var re = head.Part(0, of: 2) * relation.Part(0, of: 2) - head.Part(1, of: 2) * relation.Part(1, of: 2);
            var im = head.Part(0, of: 2) * relation.Part(1, of: 2) + head.Part(1, of: 2) * relation.Part(0, of: 2);
            return (re * tail.Part(0, of: 2) + im * tail.Part(1, of: 2)).RowSum();
        }

        /// <summary>TransE's distance <c>‖h + r − t‖₁</c> (the score is its negation).</summary>
        public static Vector TransEDistance(Embeddings entities, Embeddings relations, Indices triples) =>
            Abs(entities.Rows(triples.Column(0)) + relations.Rows(triples.Column(1)) - entities.Rows(triples.Column(2))).RowSum();

        /// <summary>DistMult: <c>Σ h·r·t</c>.</summary>
        public static Vector DistMult(Embeddings entities, Embeddings relations, Indices triples) =>
            (entities.Rows(triples.Column(0)) * relations.Rows(triples.Column(1)) * entities.Rows(triples.Column(2))).RowSum();
    }

    /// <summary>TransE with its original margin ranking loss (Bordes et al., 2013, "Translating Embeddings for Modeling
    /// Multi-relational Data"): every positive triple <c>[N, 3]</c> against each of its corrupted triples <c>[N, K, 3]</c>,
    /// <c>mean_(i,k) max(0, γ + d(pos_i) − d(neg_ik))</c> with <c>d = ‖h + r − t‖₁</c>. A negative equal to its
    /// positive costs γ.</summary>
    [Loss]
    public partial class TransEMarginRanking
    {
        /// <summary>The margin γ (Bordes et al. tune it in {1, 2, 10}).</summary>
        [Hyper] public double Margin { get; set; } = 1;

        [Term]
        Real Ranking([Dims("E", "D")] Embeddings entities, [Dims("R", "D")] Embeddings relations,
            [Dims("N", "3")] Indices positives, [Dims("N", "K", "3")] Indices negatives) =>
            Relu(Margin + KgScores.TransEDistance(entities, relations, positives) - KgScores.TransEDistance(entities, relations, negatives)).Mean();
    }

    /// <summary>DistMult trained with binary cross-entropy over sampled negatives (as PyKEEN's <c>BCEWithLogitsLoss</c> under
    /// negative sampling, Yang et al., 2015's model): positives <c>[N, 3]</c> labelled 1 and negatives <c>[N, K, 3]</c>
    /// labelled 0, each triple one logistic term, averaged over all <c>N(1 + K)</c> triples:
    /// <c>(Σ_i −log σ(s⁺_i) + Σ_(i,k) −log σ(−s⁻_ik)) / (N + NK)</c>.</summary>
    [Loss]
    public partial class DistMultNegativeSampling
    {
        [Term]
        Real Positive([Dims("E", "D")] Embeddings entities, [Dims("R", "D")] Embeddings relations,
            [Dims("N", "3")] Indices positives, [Dims("N", "K", "3")] Indices negatives) =>
            -LogSigmoid(KgScores.DistMult(entities, relations, positives)).Sum() / (positives.Column(0).Count() + negatives.Column(0).Count());

        [Term]
        Real Negative([Dims("E", "D")] Embeddings entities, [Dims("R", "D")] Embeddings relations,
            [Dims("N", "3")] Indices positives, [Dims("N", "K", "3")] Indices negatives) =>
            -LogSigmoid(-KgScores.DistMult(entities, relations, negatives)).Sum() / (positives.Column(0).Count() + negatives.Column(0).Count());
    }

    /// <summary>Graph smoothness (Laplacian regularisation), the regulariser of "Relational Deep Learning" (Fey et al., 2024)
    /// and of RDB2G-Bench and R-HGNN's relational graphs: linked nodes should have close embeddings,
    /// <c>Σ_(u,v) w_uv ‖z_u − z_v‖²</c> over an edge list <c>[E, 2]</c> (node ids into <c>z</c> <c>[N, D]</c>) with edge
    /// weights <c>[E]</c> (<c>= zᵀ L z</c> summed over features for a symmetric edge list counted once). No edge gives 0.</summary>
    [Loss]
    public partial class GraphSmoothness
    {
        [Term]
        Real Smoothness(Embeddings z, [Dims("E", "2")] Indices edges, [Frozen, Dims("E")] Vector edgeWeights) =>
            (edgeWeights * Square(z.Rows(edges.Column(0)) - z.Rows(edges.Column(1))).RowSum()).Sum();
    }
}
