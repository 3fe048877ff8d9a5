using System;
using static LossDsl.Dsl;

namespace LossDsl.Zoo
{
    /// <summary>TransE (Bordes et al., 2013) trained with self-adversarial negative sampling (Sun et al., 2019,
    /// "RotatE: Knowledge Graph Embedding by Relational Rotation in Complex Space"), as the RotatE authors'
    /// <c>KGEModel.train_step</c>: scores <c>γ − ‖h + r − t‖₁</c> of the positive triples <c>[N, 3]</c> (head,
    /// relation, tail ids into the entity and relation tables) and of the negative triples <c>[N, K, 3]</c> (the
    /// positive with its head or its tail replaced);
    /// <c>½[−Σ w_i log σ(s⁺_i) / Σ w_i] + ½[−Σ w_i Σ_k p_ik log σ(−s⁻_ik) / Σ w_i]</c> with the detached
    /// self-adversarial weights <c>p_i = softmax(α s⁻_i)</c> (α = 0: the plain mean over negatives), subsampling
    /// weights <c>w</c> (all ones: the authors' <c>uni_weight</c>), plus <c>λ(‖E‖₃³ + ‖R‖₃³)</c> over the whole tables.</summary>
    [Loss]
    public partial class TransE
    {
        /// <summary>The margin γ (the authors' 12).</summary>
        [Hyper] public double Gamma { get; set; } = 12;

        /// <summary>The self-adversarial temperature α (1; 0 weighs every negative equally).</summary>
        [Hyper] public double AdversarialTemperature { get; set; } = 1;

        /// <summary>The L3 regularisation λ (0: none).</summary>
        [Hyper] public double Regularization { get; set; } = 0;

        [Term(Weight = 0.5)]
        Real Positive([Dims("E", "D")] Embeddings entities, [Dims("R", "D")] Embeddings relations,
            [Dims("N", "3")] Indices positives, Vector weights) =>
            -(LogSigmoid(Score(entities, relations, positives)) * weights).Sum() / weights.Sum();

        [Term(Weight = 0.5)]
        Real Negative([Dims("E", "D")] Embeddings entities, [Dims("R", "D")] Embeddings relations,
            [Dims("N", "K", "3")] Indices negatives, Vector weights) =>
            -(KnowledgeGraph.SelfAdversarial(Score(entities, relations, negatives), AdversarialTemperature) * weights).Sum() / weights.Sum();

        [Term]
        Real Regularizer([Dims("E", "D")] Embeddings entities, [Dims("R", "D")] Embeddings relations) =>
            Regularization * KnowledgeGraph.CubedL3(entities, relations);

        private Vector Score(Embeddings entities, Embeddings relations, Indices triples) =>
            Gamma - Abs(entities.Rows(triples.Column(0)) + relations.Rows(triples.Column(1)) - entities.Rows(triples.Column(2))).RowSum();
    }

    /// <summary>DistMult (Yang et al., 2015) with self-adversarial negative sampling, as the RotatE authors'
    /// <c>KGEModel.train_step</c>: score <c>Σ h·r·t</c>; the loss as <see cref="TransE"/>.</summary>
    [Loss]
    public partial class DistMult
    {
        /// <summary>The self-adversarial temperature α (1; 0 weighs every negative equally).</summary>
        [Hyper] public double AdversarialTemperature { get; set; } = 1;

        /// <summary>The L3 regularisation λ (0: none).</summary>
        [Hyper] public double Regularization { get; set; } = 0;

        [Term(Weight = 0.5)]
        Real Positive([Dims("E", "D")] Embeddings entities, [Dims("R", "D")] Embeddings relations,
            [Dims("N", "3")] Indices positives, Vector weights) =>
            -(LogSigmoid(Score(entities, relations, positives)) * weights).Sum() / weights.Sum();

        [Term(Weight = 0.5)]
        Real Negative([Dims("E", "D")] Embeddings entities, [Dims("R", "D")] Embeddings relations,
            [Dims("N", "K", "3")] Indices negatives, Vector weights) =>
            -(KnowledgeGraph.SelfAdversarial(Score(entities, relations, negatives), AdversarialTemperature) * weights).Sum() / weights.Sum();

        [Term]
        Real Regularizer([Dims("E", "D")] Embeddings entities, [Dims("R", "D")] Embeddings relations) =>
            Regularization * KnowledgeGraph.CubedL3(entities, relations);

        private static Vector Score(Embeddings entities, Embeddings relations, Indices triples) =>
            (entities.Rows(triples.Column(0)) * relations.Rows(triples.Column(1)) * entities.Rows(triples.Column(2))).RowSum();
    }

    /// <summary>RotatE (Sun et al., 2019) with self-adversarial negative sampling, as the authors'
    /// <c>KGEModel.train_step</c>: entities are complex vectors (real and imaginary halves of <c>[E, 2H]</c>), a
    /// relation is a rotation by the phases <c>φ = r · π / range</c> <c>[R, H]</c>, and the score is
    /// <c>γ − Σ_k |h_k e^{iφ_k} − t_k|</c>; the loss as <see cref="TransE"/>.</summary>
    [Loss]
    public partial class RotatE
    {
        /// <summary>The margin γ (the authors' 12).</summary>
        [Hyper] public double Gamma { get; set; } = 12;

        /// <summary>The embedding range <c>(γ + ε) / H</c> that maps relation values to phases (the authors' ε = 2).</summary>
        [Hyper] public double EmbeddingRange { get; set; } = 14.0 / 1000;

        /// <summary>The self-adversarial temperature α (1; 0 weighs every negative equally).</summary>
        [Hyper] public double AdversarialTemperature { get; set; } = 1;

        /// <summary>The L3 regularisation λ (0: none).</summary>
        [Hyper] public double Regularization { get; set; } = 0;

        [Term(Weight = 0.5)]
        Real Positive([Dims("E", "D")] Embeddings entities, [Dims("R", "H")] Embeddings relations,
            [Dims("N", "3")] Indices positives, Vector weights) =>
            -(LogSigmoid(Score(entities, relations, positives)) * weights).Sum() / weights.Sum();

        [Term(Weight = 0.5)]
        Real Negative([Dims("E", "D")] Embeddings entities, [Dims("R", "H")] Embeddings relations,
            [Dims("N", "K", "3")] Indices negatives, Vector weights) =>
            -(KnowledgeGraph.SelfAdversarial(Score(entities, relations, negatives), AdversarialTemperature) * weights).Sum() / weights.Sum();

        [Term]
        Real Regularizer([Dims("E", "D")] Embeddings entities, [Dims("R", "H")] Embeddings relations) =>
            Regularization * KnowledgeGraph.CubedL3(entities, relations);

        private Vector Score(Embeddings entities, Embeddings relations, Indices triples)
        {
            var head = entities.Rows(triples.Column(0));
            var tail = entities.Rows(triples.Column(2));
            var phase = relations.Rows(triples.Column(1)) * (Math.PI / EmbeddingRange);
            var cos = Cos(phase);
            var sin = Sin(phase);
            var re = head.Part(0, of: 2) * cos - head.Part(1, of: 2) * sin - tail.Part(0, of: 2);
            var im = head.Part(0, of: 2) * sin + head.Part(1, of: 2) * cos - tail.Part(1, of: 2);
            return Gamma - Sqrt(Square(re) + Square(im)).RowSum();
        }
    }

    /// <summary>Formulas the knowledge-graph losses share (inlined by the generator).</summary>
    public static class KnowledgeGraph
    {
        /// <summary><c>Σ_k softmax(α s⁻)_k log σ(−s⁻_k)</c> per positive, the weights detached (self-adversarial
        /// negative sampling); α = 0 gives the plain mean over negatives.</summary>
        public static Vector SelfAdversarial(Vector negativeScores, double temperature) =>
            (Frozen(Softmax(negativeScores * temperature)) * LogSigmoid(-negativeScores)).RowSum();

        /// <summary><c>‖E‖₃³ + ‖R‖₃³</c> over the whole tables.</summary>
        public static Real CubedL3(Embeddings entities, Embeddings relations) =>
            Pow(Abs(entities), 3).Sum() + Pow(Abs(relations), 3).Sum();
    }
}
