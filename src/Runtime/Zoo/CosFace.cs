using static LossDsl.Dsl;

namespace LossDsl.Zoo
{
    /// <summary>CosFace / large-margin cosine loss (Wang et al., 2018, "CosFace: Large Margin Cosine Loss for Deep Face
    /// Recognition"), as pytorch-metric-learning 2.8.1's <c>CosFaceLoss(num_classes, embedding_size, margin=0.35,
    /// scale=64)</c>: the cosine of each embedding <c>z [N, D]</c> with each class column of <c>W [D, C]</c> (PML's
    /// layout), the target class's cosine lowered by the margin, all scaled by s, then cross-entropy averaged over
    /// the batch: <c>mean_i CE(s·(cos(z_i, W_c) − m·[c = y_i]), y_i)</c>, written as a blend of <c>cos − m</c> on the target
    /// column and <c>cos</c> elsewhere so the margin stays in the embeddings' precision (a one-hot weight is a float of the
    /// default type). A batch of one is an ordinary batch.</summary>
    [Loss]
    public partial class CosFace
    {
        /// <summary>The additive cosine margin m (PML's default 0.35).</summary>
        [Hyper] public double Margin { get; set; } = 0.35;

        /// <summary>The logit scale s (PML's default 64).</summary>
        [Hyper] public double Scale { get; set; } = 64;

        [Term]
        Real Classes(Embeddings z, Labels y, [Dims("D_z", "C")] Embeddings W)
        {
            var cosine = Pairwise(z, W.Transposed(), Similarity.Cosine);
            var target = ClassOf(y).AsWeights();
            return CrossEntropy((Scale * (target * (cosine - Margin) + (1 - target) * cosine)).AsLogits(), y);
        }
    }
}
