using static LossDsl.Dsl;

namespace LossDsl.Zoo
{
    /// <summary>Dual-head knowledge distillation ("Dual-Head Knowledge Distillation: Enhancing Logits Utilization with an
    /// Auxiliary Head", Yang et al., 2024): the student's main head <c>[N, C]</c> learns from the labels and from the
    /// teacher's probabilities, <c>CE(s, y) + α·T²·KL(softmax(t/T) ‖ softmax(s/T))</c>, while a logit-level loss, which
    /// would collapse the main classifier, goes to an auxiliary head <c>[N, C]</c> sharing the backbone:
    /// <c>β · mean (a − t)²</c>. The paper's exact logit-level loss is out of reach here; this is its stated idea with the
    /// mean squared logit error. The teacher is frozen. A batch of one is an ordinary batch.</summary>
    [Loss]
    public partial class DualHeadKd
    {
        /// <summary>The temperature T (default 4).</summary>
        [Hyper, Temperature] public double T { get; set; } = 4;

        /// <summary>The probability-level term's weight α (default 1).</summary>
        [Hyper] public double Alpha { get; set; } = 1;

        /// <summary>The logit-level term's weight β (default 1).</summary>
        [Hyper] public double Beta { get; set; } = 1;

        [Term]
        Real Hard(Logits student, Labels y) => CrossEntropy(student, y);

        [Term]
        Real Soft(Logits student, [Frozen] Logits teacher) => Alpha * (T * T) * KL(Softmax(teacher, T), LogSoftmax(student, T));

        [Term]
        Real Auxiliary(Logits auxiliary, [Frozen] Logits teacher) => Beta * Mse(auxiliary, teacher);
    }

    /// <summary>Trilateral-geometry knowledge distillation, TGeo-KD ("Less or More From Teacher: Exploiting Trilateral
    /// Geometry for Knowledge Distillation", Hu et al., ICLR 2024): each sample fuses the hard and the soft loss by its own
    /// ratio <c>α_i</c>, <c>mean_i [α_i CE(s_i, y_i) + (1 − α_i) T² KL(softmax(t_i/T) ‖ softmax(s_i/T))]</c>. The paper
    /// learns α from the geometry of the student's, the teacher's and the ground truth's predictions; here α is an input
    /// <c>[N]</c> (from your ratio network, or constants), and the geometry is exposed: three weight-0 terms give the batch
    /// means of <c>‖p_s − p_t‖</c>, <c>‖p_s − e_y‖</c> and <c>‖p_t − e_y‖</c> (p = softmax at T = 1, e_y one-hot), and
    /// <see cref="TrilateralGeometry.Features"/> gives them per sample to feed the ratio network. The teacher is frozen.</summary>
    [Loss]
    public partial class TrilateralGeometryKd
    {
        /// <summary>The temperature T (default 4).</summary>
        [Hyper, Temperature] public double T { get; set; } = 4;

        [Term]
        Real Fused(Logits student, [Frozen] Logits teacher, Labels y, Vector ratio) =>
            (ratio * CrossEntropyPerSample(student, y) + (1 - ratio) * KLPerSample(Softmax(teacher, T), LogSoftmax(student, T)) * (T * T)).Mean();

        [Term(Weight = 0)]
        Real StudentTeacherGap(Logits student, [Frozen] Logits teacher) => Norm(Frozen(Softmax(student)) - Softmax(teacher)).Mean();

        [Term(Weight = 0)]
        Real StudentError(Logits student, Labels y) => Norm(Frozen(Softmax(student)) - ClassOf(y).AsWeights().AsProbs()).Mean();

        [Term(Weight = 0)]
        Real TeacherError([Frozen] Logits teacher, Labels y) => Norm(Softmax(teacher) - ClassOf(y).AsWeights().AsProbs()).Mean();
    }
}
