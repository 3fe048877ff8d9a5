using System;
using static LossDsl.Dsl;

namespace LossDsl.Zoo
{
    /// <summary>ArcFace (Deng et al., 2019, "ArcFace: Additive Angular Margin Loss for Deep Face Recognition"), as
    /// pytorch-metric-learning 2.8.1's <c>ArcFaceLoss(num_classes, embedding_size, margin, scale)</c>: the cosine
    /// of each embedding with each class column of <c>W</c> (<c>[D, C]</c>, PML's layout); the target class's
    /// angle θ gets the additive margin, <c>cos(θ + m)</c> where <c>θ ≤ π − m</c> and <c>cos θ − m·sin m</c>
    /// beyond (to stay monotonic); the logits are scaled by s and scored with cross-entropy, averaged over the
    /// batch. The margin is in degrees, as PML's argument.</summary>
    [Loss]
    public partial class ArcFace
    {
        /// <summary>The additive angular margin m, in degrees (PML's default 28.6).</summary>
        [Hyper] public double Margin { get; set; } = 28.6;

        /// <summary>The logit scale s (PML's default 64).</summary>
        [Hyper] public double Scale { get; set; } = 64;

        [Term]
        Real Classes(Embeddings z, Labels y, [Dims("D_z", "C")] Embeddings W)
        {
            var m = Margin * Math.PI / 180;
            var cosine = Pairwise(z, W.Transposed(), Similarity.Cosine);
            var target = cosine.Pick(y);
            var angle = Acos(Clamp(target, -1, 1));
            var withMargin = Where(angle <= Math.PI - m, Cos(angle + m), Cos(angle) - m * Math.Sin(m));
            var logits = Scale * (cosine + (withMargin - target) * ClassOf(y).AsWeights());
            return CrossEntropy(logits.AsLogits(), y);
        }
    }
}
