using static LossDsl.Dsl;

namespace LossDsl.Zoo
{
    /// <summary>The zoo's loss bodies as plain functions of DSL values, each the exact expression of the
    /// matching <c>[Term]</c> (with its hyper-parameter as an argument). Calling one with symbolic inputs
    /// (<c>Embeddings.Input("z")</c>) traces its IR, which the interpreter runs against the reference
    /// implementations in the oracle tests.</summary>
    public static class ZooBodies
    {
        /// <summary>Hinton KD, RepDistiller's <c>DistillKL(T)</c>:
        /// <c>T² · (1/N) Σ_i KL(softmax(t_i/T) ‖ softmax(s_i/T))</c>; the teacher is differentiated, as in the reference.</summary>
        public static Scalar HintonKdBody(Logits student, Logits teacher, double t) =>
            KL(Softmax(teacher, t), LogSoftmax(student, t)) * (t * t);

        /// <summary>RKD distance term, RepDistiller's <c>RKDLoss(w_d=1, w_a=0)</c>: smooth L1 between the
        /// mean-normalised pairwise distances of student and frozen teacher.</summary>
        public static Scalar RkdDistanceBody(Embeddings student, Embeddings teacher) =>
            SmoothL1(
                Pairwise(student, Distance.Euclidean).MeanNormalized(),
                Pairwise(Frozen(teacher), Distance.Euclidean).MeanNormalized());

        /// <summary>NT-Xent, pytorch-metric-learning's <c>NTXentLoss(temperature=τ)</c>: per ordered positive
        /// pair, <c>−log(e^{s_ap} / (e^{s_ap} + Σ_n e^{s_an})) = softplus(lse_n s_an − s_ap)</c>, <c>s = cos/τ</c>,
        /// averaged over positive pairs.</summary>
        public static Scalar NtXentBody(Embeddings z, Labels y, double tau) =>
            Softplus(
                (Pairwise(Normalize(z), Similarity.Dot) / tau).Over(DifferentLabel(y)).LogSumExp()
                - Pairwise(Normalize(z), Similarity.Dot) / tau)
            .Over(SameLabel(y).ExcludeSelf())
            .MeanOverPairs();

        /// <summary>SupCon, pytorch-metric-learning's <c>SupConLoss(temperature=τ)</c>:
        /// <c>l_i = mean_{p∈P(i)} (lse_{j≠i} s_ij − s_ip)</c>, averaged over anchors with <c>l_i &gt; 0</c>.</summary>
        public static Scalar SupConBody(Embeddings z, Labels y, double tau) =>
            ((Pairwise(Normalize(z), Similarity.Dot) / tau).Over(AllPairs().ExcludeSelf()).LogSumExp()
             - Pairwise(Normalize(z), Similarity.Dot) / tau)
            .Over(SameLabel(y).ExcludeSelf())
            .Mean()
            .MeanNonZero();

        /// <summary>pytorch-metric-learning's <c>TripletMarginLoss(margin=m)</c> over all triplets:
        /// <c>relu(d_ap − d_an + m)</c> on normalised embeddings, averaged over the positive ones.</summary>
        public static Scalar TripletBody(Embeddings z, Labels y, double margin) =>
            Relu(Pairwise(Normalize(z), Distance.Euclidean).Triplets(SameLabel(y).ExcludeSelf(), DifferentLabel(y)) + margin)
            .MeanNonZero();

        /// <summary>The triplet loss over the triplets of <c>TripletMarginMiner(type_of_triplets="hard")</c>
        /// (<c>d_an ≤ d_ap</c>, chosen without gradient).</summary>
        public static Scalar TripletHardMinedBody(Embeddings z, Labels y, double margin) =>
            Relu(Pairwise(Normalize(z), Distance.Euclidean).Triplets(SameLabel(y).ExcludeSelf(), DifferentLabel(y)).MineHard() + margin)
            .MeanNonZero();

        /// <summary>Batch-hard triplet (Hermans et al., 2017): <c>mean_a relu(max_p d_ap − min_n d_an + m)</c>
        /// on normalised embeddings; an anchor without positives or negatives adds 0.</summary>
        public static Scalar BatchHardTripletBody(Embeddings z, Labels y, double margin) =>
            Relu(Pairwise(Normalize(z), Distance.Euclidean).Over(SameLabel(y).ExcludeSelf()).Max()
                 - Pairwise(Normalize(z), Distance.Euclidean).Over(DifferentLabel(y)).Min()
                 + margin)
            .Mean();
    }
}
