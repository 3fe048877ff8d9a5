using static LossDsl.Dsl;

namespace LossDsl.Zoo
{
    /// <summary>Relational knowledge distillation, distance term (Park et al., 2019), as RepDistiller's
    /// <c>RKDLoss</c> with <c>w_a = 0</c>: pairwise distances of student and teacher embeddings, each divided
    /// by its mean positive distance, compared with smooth L1 over all N² pairs. The teacher is frozen.</summary>
    [Loss]
    public partial class RkdDistance
    {
        /// <summary>The distance term's weight (RepDistiller's <c>w_d</c>, default 25).</summary>
        [Hyper] public double DistanceWeight { get; set; } = 25;

        [Term]
        Real Rkd(Embeddings student, [Frozen] Embeddings teacher) =>
            DistanceWeight * SmoothL1(
                Pairwise(student, Distance.Euclidean).MeanNormalized(),
                Pairwise(teacher, Distance.Euclidean).MeanNormalized());
    }
}
