using static LossDsl.Dsl;

namespace LossDsl.Zoo
{
    /// <summary>Cr-KD's class-relation distillation ("Class-relation Knowledge Distillation for Novel Class Discovery",
    /// Gu et al., ICCV 2023), as the authors' <c>KD</c> (model/losses.py) with rKD.py's <c>alpha · KD(...).mean()</c>.
    /// Each row is one (view, head, sample) of the new model: its known-class head's logits <c>[N, C_old]</c> and its
    /// novel-class head's logits <c>[N, C_new]</c> (the reference concatenates them), the old model's logits
    /// <c>[N, C_old]</c> (constants) and a weight <c>[N]</c>, 1 for the unlabelled samples that take part and 0 for the
    /// labelled ones. With every logit divided by <c>τ·T</c>: <c>p = softmax(old)</c>, <c>log q = log_softmax(known)</c>, the
    /// gate <c>w = Σ_{c &lt; C_old} softmax([known, new])_c = σ(lse(known) − lse(new))</c> (differentiated), and
    /// <c>α·T² · Σ_i m_i w_i KD_i / Σ_i m_i w_i</c> with <c>KD_i = −Σ_c p_ic log q_ic</c>: the reference's mean of
    /// <c>KD·w / mean(w)</c> over the unlabelled rows, whose counts cancel. No unlabelled row gives 0.</summary>
    [Loss]
    public partial class ClassRelationKd
    {
        /// <summary>The logits' temperature τ (the authors' <c>temperature</c>, 0.1: the logits are cosines).</summary>
        [Hyper, Temperature] public double Temperature { get; set; } = 0.1;

        /// <summary>The distillation temperature T (<c>kd_temperature</c>, 4).</summary>
        [Hyper, Temperature] public double KdTemperature { get; set; } = 4;

        /// <summary>The loss weight α (<c>alpha</c>, 0.1).</summary>
        [Hyper] public double Alpha { get; set; } = 0.1;

        [Term]
        Real Distill(Logits known, [Dims("N", "C_new")] Logits novel, [Frozen, Dims("N", "C_known")] Logits old, Vector unlabelled)
        {
            var scale = Temperature * KdTemperature;
            var kd = -(Softmax(old / scale) * LogSoftmax(known / scale).AsProbs()).RowSum();
            var gate = Sigmoid((known / scale).RowLogSumExp() - (novel / scale).RowLogSumExp());
            var weights = gate * unlabelled;
            return Alpha * KdTemperature * KdTemperature * (kd * weights).Sum() / Maximum(weights.Sum(), 1e-30);
        }
    }

    /// <summary>Token-level relationship graph distillation ("Knowledge Distillation via Token-level Relationship Graph",
    /// Zhang et al., 2023). Tokens <c>[N, T, D]</c> of each sample are the graph's nodes, their cosine similarities its
    /// edges. <c>Graph</c>: the student's graph matches the teacher's, <c>mean_{n,i} KL(softmax_j(A^t_nij / τ) ‖
    /// softmax_j(A^s_nij / τ))</c>; <c>Context</c>: each student token finds its own teacher token among the sample's
    /// tokens, <c>mean_{n,i} [lse_j cos(s_ni, t_nj)/τ − cos(s_ni, t_ni)/τ]</c>. No public code of TRG exists; this is the
    /// paper's stated idea with these formulas. Student tokens must have the teacher's width (project them first). The
    /// teacher is frozen. One token per sample: both terms are 0.</summary>
    [Loss]
    public partial class TokenRelationGraph
    {
        /// <summary>The graph temperature τ (default 0.1).</summary>
        [Hyper, Temperature] public double Temperature { get; set; } = 0.1;

        [Term]
        Real Graph(Tokens student, [Frozen] Tokens teacher)
        {
            var logTarget = LogSoftmax(Pairwise(teacher, Similarity.Cosine) / Temperature);
            var logModel = LogSoftmax(Pairwise(student, Similarity.Cosine) / Temperature);
            return (Exp(logTarget) * (logTarget - logModel)).RowSum().Mean();
        }

        [Term]
        Real Context(Tokens student, [Frozen] Tokens teacher) =>
            ((Pairwise(student, teacher, Similarity.Cosine) / Temperature).RowLogSumExp()
             - Dot(Normalize(student), Normalize(teacher)) / Temperature).Mean();
    }

    /// <summary>Prototype-sample relation distillation ("Prototype-Sample Relation Distillation: Towards Replay-Free
    /// Continual Learning", Asadi et al., ICML 2023), three terms: <c>SupCon</c>, Khosla's supervised contrastive loss on
    /// the current features (see <see cref="SupConKhosla"/>, τ/τ_base = 1); <c>Prototypes</c>, the prototypes of the current
    /// task's classes <c>[C, D]</c> learned by <c>CE(cos(z_i, p_c)/τ, y_i)</c>; <c>Relations</c>, the distillation of each
    /// sample's relation to the previous tasks' prototypes <c>[P, D]</c> (constants) from the old model's features
    /// (constants) to the new: <c>λ · mean_i KL(softmax_c(cos(z^old_i, p_c)/τ) ‖ softmax_c(cos(z_i, p_c)/τ))</c>. The
    /// authors' code is not reproduced here; this is the paper's stated idea with these formulas. A batch of one: the
    /// SupCon term is 0.</summary>
    [Loss]
    public partial class PrototypeSampleRelation
    {
        /// <summary>The temperature τ of all three terms (default 0.1).</summary>
        [Hyper, Temperature] public double Temperature { get; set; } = 0.1;

        /// <summary>The relation distillation's weight λ (default 1).</summary>
        [Hyper] public double Lambda { get; set; } = 1;

        [Term]
        Real SupCon(Embeddings z, Labels y)
        {
            var s = Pairwise(Normalize(z), Similarity.Dot) / Temperature;
            return (s.Over(AllPairs().ExcludeSelf()).LogSumExp() - s).Over(SameLabel(y).ExcludeSelf()).Mean().Mean();
        }

        [Term]
        Real Prototypes(Embeddings z, Labels y, [Dims("C", "D_z")] Embeddings prototypes) =>
            CrossEntropy((Pairwise(z, prototypes, Similarity.Cosine) / Temperature).AsLogits(), y);

        [Term]
        Real Relations(Embeddings z, [Frozen, Dims("N", "D_z")] Embeddings oldZ, [Frozen, Dims("P", "D_z")] Embeddings oldPrototypes) =>
            Lambda * KL(Softmax(Pairwise(oldZ, oldPrototypes, Similarity.Cosine) / Temperature).AsProbs(),
                        LogSoftmax(Pairwise(z, oldPrototypes, Similarity.Cosine) / Temperature).AsLogProbs());
    }

    /// <summary>Label-agnostic forgetting's representation alignment ("Label-Agnostic Forgetting: A Supervision-Free
    /// Unlearning in Deep Models", Shen et al., ICLR 2024): the current model's embeddings of the retained data
    /// <c>[N, D]</c> are matched contrastively to the original model's <c>[N, D]</c> (constants): each sample's positive is
    /// its own original embedding, the other samples' are negatives,
    /// <c>mean_i [lse_j cos(z_i, o_j)/τ − cos(z_i, o_i)/τ]</c>. The paper's exact alignment objective is out of reach here;
    /// this is its stated idea with this formula. A batch of one gives 0.</summary>
    [Loss]
    public partial class LabelAgnosticForgetting
    {
        /// <summary>The temperature τ (default 0.1).</summary>
        [Hyper, Temperature] public double Temperature { get; set; } = 0.1;

        [Term]
        Real Alignment(Embeddings z, [Frozen, Dims("N", "D_z")] Embeddings original)
        {
            var s = Pairwise(z, original, Similarity.Cosine) / Temperature;
            return (s.RowLogSumExp() - s.Over(Identity()).Sum()).Mean();
        }
    }

    /// <summary>Quality-guided contrastive rationale distillation ("Quality-guided Contrastive Rationale Distillation for
    /// Large Language Models", 2024): the student's rationale representations <c>z [N, D]</c> are pulled to the teacher's
    /// rationales <c>[N, D]</c> and pushed from K negative (low-quality) rationales <c>[N, K, D]</c>, each weighted by a
    /// quality score (<c>[N]</c> and <c>[N, K]</c>, constants; negative scores count as 0):
    /// <c>Σ_i q⁺_i log(1 + Σ_k q⁻_ik e^{s⁻_ik − s⁺_i}) / Σ_i q⁺_i</c> with <c>s = cos / τ</c> (InfoNCE with weighted
    /// negatives, anchors weighted by their positive's quality). The paper's exact weighting is out of reach here; this is
    /// its stated idea with this formula. All positive qualities 0 gives 0.</summary>
    [Loss]
    public partial class QualityContrastiveRationale
    {
        /// <summary>The temperature τ (default 0.1).</summary>
        [Hyper, Temperature] public double Temperature { get; set; } = 0.1;

        [Term]
        Real Rationales(Embeddings z, [Dims("N", "D_z")] Embeddings positives, [Dims("N", "K", "D_z")] Embeddings negatives,
            [Frozen] Vector positiveQuality, [Frozen, Dims("N", "K")] Vector negativeQuality)
        {
            var positive = Dot(Normalize(z), Normalize(positives)) / Temperature;
            var negative = (Normalize(negatives) * Normalize(z)).RowSum() / Temperature;
            var perSample = Log1p((Relu(negativeQuality) * Exp(negative - positive)).RowSum());
            var weights = Relu(positiveQuality);
            return (weights * perSample).Sum() / Maximum(weights.Sum(), 1e-30);
        }
    }
}
