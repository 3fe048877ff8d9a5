using static LossDsl.Dsl;

namespace LossDsl.Zoo
{
    /// <summary>Proto-triplet loss ("SuSana Distancia is all you need: Enforcing class separability in metric learning via
    /// two novel distance-based loss functions for few-shot image classification", Alonso et al., 2023): a triplet loss
    /// whose positive and negatives are class prototypes, the mean support embedding of each class. For each query q
    /// (<c>[N, D]</c>, labels <c>[N]</c>) and each class c ≠ y_q present in the support set (<c>[S, D]</c>, labels
    /// <c>[S]</c>): <c>relu(d(q, p_{y_q}) − d(q, p_c) + m)</c>, d Euclidean, averaged over all (query, other class) pairs.
    /// The paper's code is not public; this is its stated idea with this formula. Prototypes are computed per support
    /// sample (<c>SameLabel(supportLabels).MeanOf(support)</c>) and each class is read at its first support sample's column,
    /// so every class counts once whatever its number of shots. Queries whose class has no support sample, and a support set of one class, give
    /// no pair; no pair gives 0.</summary>
    [Loss]
    public partial class ProtoTriplet
    {
        /// <summary>The margin m (default 1).</summary>
        [Hyper] public double Margin { get; set; } = 1;

        [Term]
        Real Triplets(Embeddings query, Labels queryLabels, [Dims("S", "D_query")] Embeddings support, [Dims("S")] Labels supportLabels)
        {
            var prototypes = SameLabel(supportLabels).MeanOf(support);
            var d = Pairwise(query, prototypes, Distance.Euclidean);
            var ownClass = SameLabel(queryLabels, supportLabels);
            var firstOfClass = (!(SameLabel(supportLabels) & Earlier()).HasAny()).AsWeights().PerColumn();   // one column per class
            var otherClasses = DifferentLabel(queryLabels, supportLabels).AsWeights() * firstOfClass * ownClass.HasAny().AsWeights();
            return Relu(d.Over(ownClass).Mean() - d + Margin).Over(otherClasses).MeanOverPairs();
        }
    }

    /// <summary>ICNN loss (inter-class nearest neighbours; "SuSana Distancia is all you need", Alonso et al., 2023): a
    /// score of class separability from each sample's nearest same-class and nearest other-class neighbours. With d the
    /// Euclidean distance of L2-normalised embeddings, <c>d⁺_i = min_{j ∈ P(i)} d_ij</c> and <c>d⁻_i = min_{j ∈ Neg(i)} d_ij</c>,
    /// the loss is <c>mean_i d⁺_i / (d⁺_i + d⁻_i)</c> (0 when the nearest neighbour of another class is infinitely farther
    /// than the nearest of its own, ½ when they tie, also at distance 0) over the samples that have both. The paper's code is not public; this
    /// is its stated idea with this formula. One class, a batch of one, or no sample with both gives 0. An empty row's
    /// nearest distance is capped at 2, the largest distance of unit vectors, so it stays finite.</summary>
    [Loss]
    public partial class Icnn
    {
        [Term]
        Real Neighbours(Embeddings z, Labels y)
        {
            var d = Pairwise(Normalize(z), Distance.Euclidean);
            var positives = SameLabel(y).ExcludeSelf();
            var negatives = DifferentLabel(y);
            var nearestSame = Minimum(d.Over(positives).Min(), 2);
            var nearestOther = Minimum(d.Over(negatives).Min(), 2);
            // Identical embeddings are exactly 0 apart: a sample that coincides with a positive and a negative ties at ½
            // (0/0 otherwise), with no gradient through the undefined ratio.
            var total = nearestSame + nearestOther;
            var tied = total <= 0;
            var ratio = Where(tied, 0 * nearestSame + 0.5, nearestSame / Where(tied, total + 1, total));
            return ratio.MeanWhere(positives.HasAny() & negatives.HasAny());
        }
    }

    /// <summary>Metrix ("It Takes Two to Tango: Mixup for Deep Metric Learning", Venkataramanan et al., ICLR 2022), on the
    /// contrastive loss: mixed embeddings <c>x̃_j = λ_j x_a + (1 − λ_j) x_b</c> (<c>[M, D]</c>, mixed outside the loss) with
    /// mixed labels <c>(y1_j, y2_j, λ_j)</c> are compared with the clean anchors <c>[N, D]</c>; a pair's positive weight is
    /// <c>w⁺_ij = λ_j [y_i = y1_j] + (1 − λ_j) [y_i = y2_j]</c> and its negative weight <c>1 − w⁺_ij</c>, so
    /// <c>Σ w⁺ relu(d − posMargin) / Σ w⁺ + Σ w⁻ relu(negMargin − d) / Σ w⁻</c> with d the Euclidean distance of normalised
    /// embeddings. This is the paper's generalisation of a pair loss to mixed labels (weights linear in λ) with weighted
    /// means as the reduction (the authors reduce with PML's reducers); add it to the clean loss with the paper's weight.
    /// No weighted pair gives 0.</summary>
    [Loss]
    public partial class MetrixContrastive
    {
        /// <summary>Positive pairs closer than this cost nothing (0).</summary>
        [Hyper] public double PosMargin { get; set; } = 0;

        /// <summary>Negative pairs farther than this cost nothing (1).</summary>
        [Hyper] public double NegMargin { get; set; } = 1;

        [Term]
        Real Positive(Embeddings z, Labels y, [Dims("M", "D_z")] Embeddings mixed, [Dims("M")] Labels y1, [Dims("M")] Labels y2,
            [Dims("M")] Vector lambda) =>
            Relu(Pairwise(Normalize(z), Normalize(mixed), Distance.Euclidean) - PosMargin).Over(PositiveWeights(y, y1, y2, lambda)).MeanOverPairs();

        [Term]
        Real Negative(Embeddings z, Labels y, [Dims("M", "D_z")] Embeddings mixed, [Dims("M")] Labels y1, [Dims("M")] Labels y2,
            [Dims("M")] Vector lambda) =>
            Relu(NegMargin - Pairwise(Normalize(z), Normalize(mixed), Distance.Euclidean)).Over(1 - PositiveWeights(y, y1, y2, lambda)).MeanOverPairs();

        /// <summary><c>λ_j [y_i = y1_j] + (1 − λ_j) [y_i = y2_j]</c>.</summary>
        private static Relation PositiveWeights(Labels y, Labels y1, Labels y2, Vector lambda) =>
            lambda.PerColumn() * SameLabel(y, y1).AsWeights() + (1 - lambda).PerColumn() * SameLabel(y, y2).AsWeights();
    }

    /// <summary>PE-Net's prototype losses ("Prototype-based Embedding Network for Scene Graph Generation", Zheng et al.,
    /// CVPR 2023): prototype-guided matching, <c>CE(cos(u_i, c_k) / τ, y_i)</c> of each subject–object relation
    /// representation <c>u [N, D]</c> against the predicate prototypes <c>c [C, D]</c>; and the prototype regularisation,
    /// which keeps prototypes distinct: <c>Distinct = mean_k ‖(cos(c_k, c_j))_{j ≠ k}‖₂</c> (the ℓ2,1 norm of the
    /// off-diagonal cosine matrix, per prototype) and <c>Separation = mean_k relu(γ − min_{j ≠ k} ‖ĉ_k − ĉ_j‖²)</c> on
    /// normalised prototypes. The paper's exact regulariser constants are out of reach here; this is its stated idea with
    /// these formulas (1e-12 inside the root keeps its gradient finite when a prototype has no other). One prototype: both
    /// regularisers are 0.</summary>
    [Loss]
    public partial class PrototypeEmbedding
    {
        /// <summary>The matching temperature τ (default 0.1).</summary>
        [Hyper, Temperature] public double Temperature { get; set; } = 0.1;

        /// <summary>The separation margin γ on squared distances of normalised prototypes (default 1).</summary>
        [Hyper] public double Gamma { get; set; } = 1;

        [Term]
        Real Matching(Embeddings u, Labels y, [Dims("C", "D_u")] Embeddings prototypes) =>
            CrossEntropy((Pairwise(u, prototypes, Similarity.Cosine) / Temperature).AsLogits(), y);

        [Term]
        Real Distinct([Dims("C", "D_u")] Embeddings prototypes) =>
            Sqrt(Square(Pairwise(prototypes, Similarity.Cosine)).Over(AllPairs().ExcludeSelf()).Sum() + 1e-12).Mean();

        [Term]
        Real Separation([Dims("C", "D_u")] Embeddings prototypes) =>
            Relu(Gamma - Pairwise(Normalize(prototypes), Distance.SqEuclidean).Over(AllPairs().ExcludeSelf()).Min()).Mean();
    }

    /// <summary>LANGO's relation learning loss ("Language-guided Learning for Object Detection Tackling Multiple Variations
    /// in Aerial Images"): the relations among the visual features of the classes should match the relations among the
    /// language embeddings of the class names. Visual class features are the class means of the batch's object features
    /// (<c>ClassOf(y).Transposed().MeanOf(z)</c>, <c>[C, D]</c>), language embeddings <c>[C, E]</c> are constants, and
    /// <c>mean_{(a, b)} (cos(v_a, v_b) − cos(l_a, l_b))²</c> over the ordered pairs of classes present in the batch. The
    /// paper's code is not public; this is its stated idea with this formula. Fewer than two classes present: 0.</summary>
    [Loss]
    public partial class LanguageGuidedRelation
    {
        [Term]
        Real Relations(Embeddings z, Labels y, [Frozen, Dims("C", "E")] Embeddings language)
        {
            var members = ClassOf(y).Transposed();
            var visual = Pairwise(members.MeanOf(z), Similarity.Cosine);
            var present = members.HasAny().AsWeights();
            var pairs = present.PerRow() * present.PerColumn() * AllPairs().ExcludeSelf().AsWeights();
            return Square(visual - Pairwise(language, Similarity.Cosine)).Over(pairs).MeanOverPairs();
        }
    }
}
