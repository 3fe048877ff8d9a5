using static LossDsl.Dsl;

namespace LossDsl.Zoo
{
    /// <summary>The ND loss ("Improving Knowledge Distillation via Regularizing Feature Norm and Direction", Wang et al.;
    /// KD++/DIST++/DKD++), as the authors' <c>DirectNormLoss</c> (CIFAR/utils.py, <c>project_center</c>): the student's
    /// embedding <c>s [N, D]</c> is projected on the direction of its class's teacher centre <c>c [C, D]</c> and divided by
    /// the larger of the student's and the teacher's norms:
    /// <c>factor · mean_i [1 − ⟨s_i, c_{y_i}/‖c_{y_i}‖⟩ / max(‖s_i‖, ‖t_i‖)]</c>. As Python's <c>max</c>, a tie takes the
    /// student's norm, and the gradient flows only through the norm chosen. The teacher's embedding and the centres are
    /// constants. The loss stays finite for any batch; a zero student embedding with a zero teacher one divides by zero, as
    /// in the reference.</summary>
    [Loss]
    public partial class NormDirection
    {
        /// <summary><c>nd_loss_factor</c> (the authors' KD++ ResNet-56 → ResNet-20 setting, 2).</summary>
        [Hyper] public double Factor { get; set; } = 2;

        [Term]
        Real Direction(Embeddings student, [Frozen] Embeddings teacher, Labels y, [Frozen, Dims("C", "D_student")] Embeddings centers) =>
            Factor * (1 - Dot(student, Normalize(centers.Rows(y))) / Maximum(Norm(student), Norm(teacher))).Mean();
    }

    /// <summary>The ND loss with one teacher centre per sample, as the authors' DeiT variant (ImageNet/DeiT/utils.py,
    /// <c>project_center_v2</c>: mixup-mixed centres <c>[N, D]</c>):
    /// <c>factor · mean_i [1 − ⟨s_i, c_i/‖c_i‖⟩ / max(‖s_i‖, ‖t_i‖)]</c> (see <see cref="NormDirection"/>).</summary>
    [Loss]
    public partial class NormDirectionPerSample
    {
        /// <summary><c>nd_loss_factor</c> (the authors' DeiT setting, 1.5).</summary>
        [Hyper] public double Factor { get; set; } = 1.5;

        [Term]
        Real Direction(Embeddings student, [Frozen] Embeddings teacher, [Frozen, Dims("N", "D_student")] Embeddings centers) =>
            Factor * (1 - Dot(student, Normalize(centers)) / Maximum(Norm(student), Norm(teacher))).Mean();
    }
}
