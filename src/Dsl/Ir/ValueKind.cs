namespace LossDsl.Ir
{
    /// <summary>What a value in a loss is. Each kind has a symbolic shape (see <see cref="ShapeInference"/>).</summary>
    public enum ValueKind
    {
        /// <summary>A host number: a literal, a hyper-parameter, or arithmetic on them. Never a tensor.</summary>
        Number,
        /// <summary>A 0-d tensor: <c>[]</c>.</summary>
        Real,
        /// <summary>One value per sample: <c>[N]</c>.</summary>
        Vector,
        /// <summary>Integer class labels: <c>[N]</c>.</summary>
        Labels,
        /// <summary>Unnormalised class scores: <c>[N, C]</c>.</summary>
        Logits,
        /// <summary>Row-wise probabilities: <c>[N, C]</c>.</summary>
        Probs,
        /// <summary>Row-wise log-probabilities: <c>[N, C]</c>.</summary>
        LogProbs,
        /// <summary>Feature vectors: <c>[N, D]</c>.</summary>
        Embeddings,
        /// <summary>A value per pair of rows: <c>[N, M]</c>.</summary>
        Relation,
        /// <summary>Which pairs count: a boolean <c>[N, M]</c>.</summary>
        Graph,
        /// <summary>A relation restricted to the pairs of a graph: <c>[N, M]</c> plus a mask.</summary>
        Masked,
        /// <summary>A value per (anchor, positive, negative) triplet with its selection mask: <c>[N, N, N]</c>.</summary>
        Triplets,
    }
}
