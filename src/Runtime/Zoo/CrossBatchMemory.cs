using static LossDsl.Dsl;

namespace LossDsl.Zoo
{
    /// <summary>The contrastive loss against a cross-batch memory (Wang et al., 2020, "Cross-Batch Memory for Embedding
    /// Learning"), as pytorch-metric-learning 2.8.1's <c>CrossBatchMemory(ContrastiveLoss(), embedding_size,
    /// memory_size)</c>: the batch's embeddings <c>z [N, D]</c> are compared with the memory's <c>[K, D]</c> (past
    /// batches' embeddings, detached, and their labels <c>[K]</c>) through the batch × memory relation of Euclidean
    /// distances of normalised embeddings, with the two-sided graphs <c>SameLabel(y, memoryLabels)</c> and
    /// <c>DifferentLabel(y, memoryLabels)</c>: <c>mean_{&gt;0} relu(d − posMargin)</c> over the positive pairs plus
    /// <c>mean_{&gt;0} relu(negMargin − d)</c> over the negative pairs. When the batch was itself enqueued, sample i meets
    /// its own copy in memory slot <c>memorySlot_i</c>; that pair is dropped (PML's <c>remove_self_comparisons</c>); −1
    /// means no copy (the samples an <c>enqueue_mask</c> kept out). <see cref="CrossBatchMemoryQueue"/> keeps the memory
    /// and gives these inputs. No pair (an empty memory) gives 0. (PML also returns 0 when each of its four pair index
    /// lists has at most one element, e.g. one query against one memory entry; this loss computes that pair.) Identical
    /// embeddings are exactly 0 apart; the other counts of the two means read the computed hinges, as PML's reducer does
    /// (a pair within rounding of a margin may count in one precision and not in another).</summary>
    [Loss]
    public partial class CrossBatchMemoryContrastive
    {
        /// <summary>Positive pairs closer than this cost nothing (PML's default 0).</summary>
        [Hyper] public double PosMargin { get; set; } = 0;

        /// <summary>Negative pairs farther than this cost nothing (PML's default 1).</summary>
        [Hyper] public double NegMargin { get; set; } = 1;

        [Term]
        Real Positive(Embeddings z, Labels y, [Frozen, Dims("K", "D_z")] Embeddings memory, [Dims("K")] Labels memoryLabels,
            [Ignore(-1)] Labels memorySlot) =>
            Relu(Pairwise(Normalize(z), Normalize(memory), Distance.Euclidean) - PosMargin)
            .Over(SameLabel(y, memoryLabels) & !ClassOf(memorySlot))
            .MeanNonZeroOverPairs();

        [Term]
        Real Negative(Embeddings z, Labels y, [Frozen, Dims("K", "D_z")] Embeddings memory, [Dims("K")] Labels memoryLabels) =>
            Relu(NegMargin - Pairwise(Normalize(z), Normalize(memory), Distance.Euclidean))
            .Over(DifferentLabel(y, memoryLabels))
            .MeanNonZeroOverPairs();
    }
}
