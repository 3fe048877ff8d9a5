using static LossDsl.Dsl;

namespace LossDsl.Zoo
{
    /// <summary>Relational knowledge distillation, angle term (Park et al., 2019), as RepDistiller's
    /// <c>RKDLoss</c> with <c>w_d = 0</c>: the angles <c>cos∠(x_j − x_i, x_k − x_i)</c> of every triple of student
    /// and of (frozen) teacher embeddings, compared with smooth L1 averaged over all N³ triples.</summary>
    [Loss]
    public partial class RkdAngle
    {
        /// <summary>The angle term's weight (RepDistiller's <c>w_a</c>, default 50).</summary>
        [Hyper] public double AngleWeight { get; set; } = 50;

        [Term]
        Real Angle(Embeddings student, [Frozen] Embeddings teacher) =>
            AngleWeight * SmoothL1(Angles(student), Angles(teacher));
    }

    /// <summary>Relational knowledge distillation (Park et al., 2019), both terms, as RepDistiller's
    /// <c>RKDLoss(w_d, w_a)</c>: <c>w_d</c> times the smooth L1 between mean-normalised pairwise distances plus
    /// <c>w_a</c> times the smooth L1 between triple angles. The teacher is frozen.</summary>
    [Loss]
    public partial class Rkd
    {
        /// <summary>The distance term's weight (<c>w_d</c>, default 25).</summary>
        [Hyper] public double DistanceWeight { get; set; } = 25;

        /// <summary>The angle term's weight (<c>w_a</c>, default 50).</summary>
        [Hyper] public double AngleWeight { get; set; } = 50;

        [Term]
        Real Distance(Embeddings student, [Frozen] Embeddings teacher) =>
            DistanceWeight * SmoothL1(
                Pairwise(student, LossDsl.Distance.Euclidean).MeanNormalized(),
                Pairwise(teacher, LossDsl.Distance.Euclidean).MeanNormalized());

        [Term]
        Real Angle(Embeddings student, [Frozen] Embeddings teacher) =>
            AngleWeight * SmoothL1(Angles(student), Angles(teacher));
    }
}
