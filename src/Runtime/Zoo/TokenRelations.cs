using static LossDsl.Dsl;

namespace LossDsl.Zoo
{
    /// <summary>Token relation distillation (TRD) of VideoREPA ("VideoREPA: Learning Physics for Video Generation
    /// through Relational Alignment with Foundation Models"), as the authors' <c>compute_loss</c>: the cosine
    /// similarities of every pair of tokens of each sample, for the student's tokens <c>[N, T, D]</c> and the
    /// (frozen) teacher's <c>[N, T, E]</c>, compared with <c>relu(|S − T| − margin)</c> and averaged over all
    /// <c>N·T·T</c> pairs (a token with itself included: it contributes 0). Pass each video's tokens as one
    /// sample (the authors' frames × spatial grid flattened).</summary>
    [Loss]
    public partial class TokenRelationDistillation
    {
        /// <summary>The margin below which relation differences are not penalised (the authors' 0.1).</summary>
        [Hyper] public double Margin { get; set; } = 0.1;

        [Term]
        Real Relations(Tokens student, [Frozen] Tokens teacher) =>
            Relu(Abs(Pairwise(student, Similarity.Cosine) - Pairwise(teacher, Similarity.Cosine)) - Margin).Mean();
    }
}
