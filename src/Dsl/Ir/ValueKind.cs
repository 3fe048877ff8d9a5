namespace LossDsl.Ir
{
    /// <summary>What a value in a loss is: its role, which fixes its element type (float, integer, boolean, host
    /// number) and, for inputs, its default dimensions. The dimensions themselves are named per node by
    /// <see cref="TypeInference"/>; an input may declare its own with <c>[Dims]</c>.</summary>
    public enum ValueKind
    {
        /// <summary>A host number: a literal, a hyper-parameter, or arithmetic on them. Never a tensor.</summary>
        Number,
        /// <summary>A real number as a 0-d tensor: <c>[]</c>.</summary>
        Real,
        /// <summary>Float values per element of one or more axes, most often one per sample: <c>[N]</c>.</summary>
        Vector,
        /// <summary>Integer class labels or row indices, one per sample: <c>[N]</c>.</summary>
        Labels,
        /// <summary>Unnormalised class scores, classes on the last axis: <c>[N, C]</c>.</summary>
        Logits,
        /// <summary>Probabilities, classes on the last axis: <c>[N, C]</c>.</summary>
        Probs,
        /// <summary>Log-probabilities, classes on the last axis: <c>[N, C]</c>.</summary>
        LogProbs,
        /// <summary>Feature vectors, features on the last axis: <c>[N, D]</c>.</summary>
        Embeddings,
        /// <summary>A value per pair (or triple) of rows: <c>[N, M]</c>.</summary>
        Relation,
        /// <summary>Which pairs count: a boolean <c>[N, M]</c>.</summary>
        Graph,
        /// <summary>A relation restricted to the pairs of a graph (or weighted by a relation): <c>[N, M]</c> plus a mask.</summary>
        Masked,
        /// <summary>A value per (anchor, positive, negative) triplet with its selection mask: <c>[N, N, N]</c>.</summary>
        Triplets,
        /// <summary>Token features of each sample: <c>[N, T, D]</c>.</summary>
        Tokens,
        /// <summary>Integer index tuples: edge lists <c>[E, 2]</c>, knowledge-graph triples <c>[E, 3]</c>, sampled
        /// negatives <c>[B, K]</c>.</summary>
        Indices,
        /// <summary>A boolean per element (comparisons, row selections): any shape.</summary>
        Condition,
        /// <summary>An optimal one-to-one assignment between the rows and columns of a cost relation.</summary>
        Matching,
        /// <summary>Boxes <c>(cx, cy, w, h)</c>, one per row: <c>[N, 4]</c>, widths and heights ≥ 0.</summary>
        Boxes,
    }
}
