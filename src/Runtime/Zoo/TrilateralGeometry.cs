using LossDsl.Runtime;
using static TorchSharp.torch;

namespace LossDsl.Zoo
{
    /// <summary>The per-sample geometric features of <see cref="TrilateralGeometryKd"/> (plain TorchSharp, not DSL): the
    /// input of a ratio network.</summary>
    public static class TrilateralGeometry
    {
        /// <summary><c>[N, 3]</c>: per sample <c>‖p_s − p_t‖</c>, <c>‖p_s − e_y‖</c>, <c>‖p_t − e_y‖</c> with <c>p = softmax</c>
        /// of the logits <c>[N, C]</c> and <c>e_y</c> the one-hot label; no gradient.</summary>
        public static Tensor Features(Tensor studentLogits, Tensor teacherLogits, Tensor labels)
        {
            using var _ = no_grad();
            var ps = studentLogits.softmax(-1);
            var pt = teacherLogits.softmax(-1);
            var onehot = nn.functional.one_hot(labels.to(ScalarType.Int64), studentLogits.shape[^1]).to(studentLogits.dtype);
            return stack(new[]
            {
                Scalars.Sub(ps, pt).norm(-1), Scalars.Sub(ps, onehot).norm(-1), Scalars.Sub(pt, onehot).norm(-1),
            }, 1);
        }
    }
}
