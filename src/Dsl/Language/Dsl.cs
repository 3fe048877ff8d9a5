using LossDsl.Ir;

namespace LossDsl
{
    /// <summary>The functions of the loss DSL. Bring them into scope with <c>using static LossDsl.Dsl;</c>.
    /// Each carries the IR operation it builds; the generator lowers calls through that attribute.</summary>
    public static class Dsl
    {
        // ---- Row operations (the last axis) ------------------------------------------------------

        /// <summary>Each row divided by its L2 norm (<c>x / max(‖x‖, 1e-12)</c>, <c>F.normalize</c>).</summary>
        [DslOp(OpCode.Normalize)] public static T Normalize<T>(FloatValue<T> x) where T : FloatValue<T> => x.Apply(OpCode.Normalize, x.Expr);

        /// <summary>Softmax over classes (the last axis).</summary>
        [DslOp(OpCode.Softmax)] public static Probs Softmax(Logits x) => new(Expr.Of(OpCode.Softmax, ValueKind.Probs, x.Expr));

        /// <summary>Softmax of <c>x / temperature</c> over classes.</summary>
        [DslOp(OpCode.Softmax)]
        public static Probs Softmax(Logits x, [Temperature] double temperature) =>
            new(Expr.Of(OpCode.Softmax, ValueKind.Probs, x.Expr, Expr.Const(temperature)));

        /// <summary>Softmax over the last axis of any value (the weights of sampled negatives, a row of a relation).</summary>
        [DslOp(OpCode.Softmax)] public static Vector Softmax(Vector x) => x.Apply(OpCode.Softmax, x.Expr);

        /// <summary>Softmax over the last axis of a relation: each row becomes a distribution over its columns.</summary>
        [DslOp(OpCode.Softmax)] public static Relation Softmax(Relation x) => x.Apply(OpCode.Softmax, x.Expr);

        /// <summary>Log-softmax over classes (the last axis).</summary>
        [DslOp(OpCode.LogSoftmax)] public static LogProbs LogSoftmax(Logits x) => new(Expr.Of(OpCode.LogSoftmax, ValueKind.LogProbs, x.Expr));

        /// <summary>Log-softmax of <c>x / temperature</c> over classes.</summary>
        [DslOp(OpCode.LogSoftmax)]
        public static LogProbs LogSoftmax(Logits x, [Temperature] double temperature) =>
            new(Expr.Of(OpCode.LogSoftmax, ValueKind.LogProbs, x.Expr, Expr.Const(temperature)));

        /// <summary>Log-softmax over the last axis of a relation (InfoNCE over the columns of each row).</summary>
        [DslOp(OpCode.LogSoftmax)] public static Relation LogSoftmax(Relation x) => x.Apply(OpCode.LogSoftmax, x.Expr);

        /// <summary>The L2 norm of each row, <c>[N]</c> (subgradient 0 at a zero row).</summary>
        [DslOp(OpCode.RowNorm)] public static Vector Norm(IRows x) => new(Expr.Of(OpCode.RowNorm, ValueKind.Vector, x.Expr));

        /// <summary>The inner product of matching rows, <c>⟨a_i, b_i⟩</c>, <c>[N]</c>.</summary>
        [DslOp(OpCode.RowDot)] public static Vector Dot<T>(FloatValue<T> a, FloatValue<T> b) where T : FloatValue<T> =>
            new(Expr.Of(OpCode.RowDot, ValueKind.Vector, a.Expr, b.Expr));

        // ---- Criteria ---------------------------------------------------------------------------

        /// <summary>Cross-entropy of logits against class labels, averaged over the labels that are not ignored
        /// (<c>F.cross_entropy</c>, <c>reduction='mean'</c>).</summary>
        [DslOp(OpCode.CrossEntropy)]
        public static Real CrossEntropy(Logits logits, Labels labels) =>
            new(Expr.Of(OpCode.CrossEntropy, ValueKind.Real, logits.Expr, labels.Expr));

        /// <summary>Cross-entropy with per-class weights <paramref name="classWeights"/> <c>[C]</c>:
        /// <c>Σ_i w_{y_i} CE_i / Σ_i w_{y_i}</c> (<c>F.cross_entropy(weight=w)</c>).</summary>
        [DslOp(OpCode.WeightedCrossEntropy)]
        public static Real CrossEntropy(Logits logits, Labels labels, Vector classWeights) =>
            new(Expr.Of(OpCode.WeightedCrossEntropy, ValueKind.Real, logits.Expr, labels.Expr, classWeights.Expr));

        /// <summary>Cross-entropy of each sample, <c>[N]</c> (0 for ignored labels): weight it, select, reduce it yourself.</summary>
        [DslOp(OpCode.CrossEntropyPerSample)]
        public static Vector CrossEntropyPerSample(Logits logits, Labels labels) =>
            new(Expr.Of(OpCode.CrossEntropyPerSample, ValueKind.Vector, logits.Expr, labels.Expr));

        /// <summary><c>KL(target ‖ input)</c> summed over classes and averaged over the batch, with the
        /// target as probabilities and the input as log-probabilities (PyTorch's <c>kl_div(input, target,
        /// 'batchmean')</c>).</summary>
        [DslOp(OpCode.KL)]
        public static Real KL(Probs target, LogProbs input) =>
            new(Expr.Of(OpCode.KL, ValueKind.Real, target.Expr, input.Expr));

        /// <summary><c>KL(target_i ‖ input_i)</c> of each sample, <c>[N]</c>.</summary>
        [DslOp(OpCode.KLPerSample)]
        public static Vector KLPerSample(Probs target, LogProbs input) =>
            new(Expr.Of(OpCode.KLPerSample, ValueKind.Vector, target.Expr, input.Expr));

        /// <summary>Mean squared error over all entries.</summary>
        [DslOp(OpCode.Mse)]
        public static Real Mse<T>(FloatValue<T> a, FloatValue<T> b) where T : FloatValue<T> =>
            new(Expr.Of(OpCode.Mse, ValueKind.Real, a.Expr, b.Expr));

        /// <summary>Smooth L1 (Huber with threshold <paramref name="beta"/>) averaged over all entries:
        /// <c>0.5 x² / β</c> if <c>|x| &lt; β</c>, else <c>|x| − 0.5 β</c>.</summary>
        [DslOp(OpCode.SmoothL1)]
        public static Real SmoothL1<T>(FloatValue<T> a, FloatValue<T> b, double beta = 1.0) where T : FloatValue<T> =>
            new(Expr.Of(OpCode.SmoothL1, ValueKind.Real, a.Expr, b.Expr, Expr.Const(beta)));

        // ---- Relations, graphs and matchings --------------------------------------------------------

        /// <summary>Similarities of all pairs of rows of <paramref name="x"/> (of the tokens of each sample, for
        /// <see cref="Tokens"/>).</summary>
        [DslOp(OpCode.Pairwise)] public static Relation Pairwise(IRows x, Similarity metric) => Pair(x, x, Attrs.MetricNamed(metric.ToString()));

        /// <summary>Similarities between the rows of <paramref name="x"/> and of <paramref name="y"/> (a cross
        /// relation: batch × table, batch × queue, view × view).</summary>
        [DslOp(OpCode.Pairwise)] public static Relation Pairwise(IRows x, IRows y, Similarity metric) => Pair(x, y, Attrs.MetricNamed(metric.ToString()));

        /// <summary>Distances of all pairs of rows of <paramref name="x"/> (the diagonal is exactly 0).</summary>
        [DslOp(OpCode.Pairwise)] public static Relation Pairwise(IRows x, Distance metric) => Pair(x, x, Attrs.MetricNamed(metric.ToString()));

        /// <summary>Distances between the rows of <paramref name="x"/> and of <paramref name="y"/>.</summary>
        [DslOp(OpCode.Pairwise)] public static Relation Pairwise(IRows x, IRows y, Distance metric) => Pair(x, y, Attrs.MetricNamed(metric.ToString()));

        private static Relation Pair(IRows x, IRows y, Metric metric) =>
            new(Expr.Of(OpCode.Pairwise, ValueKind.Relation, new MetricAttr(metric), x.Expr, y.Expr));

        /// <summary>The angle relation of RKD (Park et al., 2019): <c>a_ijk = cos∠(x_j − x_i, x_k − x_i)</c>, the
        /// inner product of the normalised difference vectors, <c>[N, N, N]</c> (0 where a difference is 0).</summary>
        [DslOp(OpCode.Angles)] public static Relation Angles(IRows x) => new(Expr.Of(OpCode.Angles, ValueKind.Relation, x.Expr));

        /// <summary>Pairs with equal labels (the diagonal included; chain <c>.ExcludeSelf()</c>).</summary>
        [DslOp(OpCode.SameLabel)] public static Graph SameLabel(Labels y) => new(Expr.Of(OpCode.SameLabel, ValueKind.Graph, y.Expr));

        /// <summary>Pairs whose row label equals the column label: <c>[rows_i = columns_j]</c> (batch against a
        /// memory queue's labels, or a mixed batch's second labels).</summary>
        [DslOp(OpCode.SameLabel)]
        public static Graph SameLabel(Labels rows, Labels columns) => new(Expr.Of(OpCode.SameLabel, ValueKind.Graph, rows.Expr, columns.Expr));

        /// <summary>Pairs with different labels.</summary>
        [DslOp(OpCode.DifferentLabel)] public static Graph DifferentLabel(Labels y) => new(Expr.Of(OpCode.DifferentLabel, ValueKind.Graph, y.Expr));

        /// <summary>Pairs whose row label differs from the column label.</summary>
        [DslOp(OpCode.DifferentLabel)]
        public static Graph DifferentLabel(Labels rows, Labels columns) => new(Expr.Of(OpCode.DifferentLabel, ValueKind.Graph, rows.Expr, columns.Expr));

        /// <summary>Every pair (chain <c>.ExcludeSelf()</c> to drop the diagonal).</summary>
        [DslOp(OpCode.AllPairs)] public static Graph AllPairs() => new(Expr.Of(OpCode.AllPairs, ValueKind.Graph));

        /// <summary>The pairs <c>(i, i)</c>: each row with its own column (the positive of InfoNCE between two
        /// views, the matching caption of an image).</summary>
        [DslOp(OpCode.Identity)] public static Graph Identity() => new(Expr.Of(OpCode.Identity, ValueKind.Graph));

        /// <summary>Each row of a batch of two stacked views with the same sample in the other view:
        /// <c>j = i + N/2 (mod N)</c> (SimCLR's positives).</summary>
        [DslOp(OpCode.OtherView)] public static Graph OtherView() => new(Expr.Of(OpCode.OtherView, ValueKind.Graph));

        /// <summary>Each row with the rows before it: <c>[j &lt; i]</c> (a strict lower triangle). With
        /// <c>SameLabel(y)</c> it finds the first sample of each label (the rows with no earlier same-label row)
        /// and counts each row's rank within its label, as pytorch-metric-learning picks N-pairs.</summary>
        [DslOp(OpCode.Earlier)] public static Graph Earlier() => new(Expr.Of(OpCode.Earlier, ValueKind.Graph));

        /// <summary>Each row with the row after it: <c>[j = i + 1]</c> (the last row has no pair): consecutive
        /// samples, as RepDistiller's correlation congruence pairs them (<c>δ[:-1] · δ[1:]</c>).</summary>
        [DslOp(OpCode.NextRow)] public static Graph NextRow() => new(Expr.Of(OpCode.NextRow, ValueKind.Graph));

        /// <summary>Each row with the column of its class: <c>[j = y_i]</c>, the one-hot graph of a batch against
        /// a class table (proxies, class weights, prototypes).</summary>
        [DslOp(OpCode.ClassOf)] public static Graph ClassOf(Labels y) => new(Expr.Of(OpCode.ClassOf, ValueKind.Graph, y.Expr));

        /// <summary>The minimum-cost one-to-one assignment of the rows of <paramref name="cost"/> to its columns over
        /// the pairs its graph allows (exact, Hungarian; per block when the graph is block-diagonal, as DETR's
        /// images). Not differentiated: read the loss at the matched pairs with <see cref="Relation.At"/>.</summary>
        [DslOp(OpCode.Assign)] public static Matching Assign(Masked cost) => new(Expr.Of(OpCode.Assign, ValueKind.Matching, cost.Expr));

        /// <summary>The one-to-many matching of Hydra-SGG ("Hydra-SGG: Hybrid Relation Assignment for One-stage Scene
        /// Graph Generation", Chen et al., 2024): for each column (target), the rows (predictions) whose
        /// <paramref name="score"/> (higher is better: an IoU, a negated matching cost) is ≥
        /// <paramref name="threshold"/>, at most <paramref name="topK"/> of them, best first (ties: the lower row),
        /// within the graph's blocks; a row may serve several targets. Not differentiated: read the loss at the pairs
        /// with <see cref="Relation.At"/>, <see cref="Matching.Rows"/> and <see cref="Matching.Columns"/> (rows repeat,
        /// so <see cref="Matching.Labels(LossDsl.Labels, double)"/> is meant for one-to-one matchings).</summary>
        [DslOp(OpCode.AssignMany)]
        public static Matching AssignMany(Masked score, double threshold, double topK) =>
            new(Expr.Of(OpCode.AssignMany, ValueKind.Matching, score.Expr, Expr.Const(threshold), Expr.Const(topK)));

        // ---- Token sequences ------------------------------------------------------------------------

        /// <summary>The log-probability a causal language model gives each token, <c>[N, T, V]</c> logits and <c>[N, T]</c>
        /// tokens → <c>[N, T]</c>: <c>log softmax(logits[i, t − 1])[tokens[i, t]]</c>, the logits at one position
        /// predicting the next token (Hugging Face's shift of labels against logits). Position 0 has no prediction
        /// and gives 0, as do tokens equal to the <c>[Ignore]</c> index (−100) of <paramref name="tokens"/>. Sum it over
        /// <c>"T"</c> against a completion mask for a sequence's log-probability (an empty mask gives 0, the
        /// log-probability of the empty sequence).</summary>
        [DslOp(OpCode.NextTokenLogProbs)]
        public static Vector NextTokenLogProbs(Logits logits, Labels tokens) =>
            new(Expr.Of(OpCode.NextTokenLogProbs, ValueKind.Vector, logits.Expr, tokens.Expr));

        // ---- Element-wise functions -------------------------------------------------------------

        [DslOp(OpCode.Exp)] public static T Exp<T>(FloatValue<T> x) where T : FloatValue<T> => x.Apply(OpCode.Exp, x.Expr);
        [DslOp(OpCode.Log)] public static T Log<T>(FloatValue<T> x) where T : FloatValue<T> => x.Apply(OpCode.Log, x.Expr);

        /// <summary><c>log(1 + x)</c>, accurate near 0.</summary>
        [DslOp(OpCode.Log1p)] public static T Log1p<T>(FloatValue<T> x) where T : FloatValue<T> => x.Apply(OpCode.Log1p, x.Expr);
        [DslOp(OpCode.Sqrt)] public static T Sqrt<T>(FloatValue<T> x) where T : FloatValue<T> => x.Apply(OpCode.Sqrt, x.Expr);
        [DslOp(OpCode.Square)] public static T Square<T>(FloatValue<T> x) where T : FloatValue<T> => x.Apply(OpCode.Square, x.Expr);
        [DslOp(OpCode.Abs)] public static T Abs<T>(FloatValue<T> x) where T : FloatValue<T> => x.Apply(OpCode.Abs, x.Expr);
        [DslOp(OpCode.Relu)] public static T Relu<T>(FloatValue<T> x) where T : FloatValue<T> => x.Apply(OpCode.Relu, x.Expr);

        /// <summary><c>log(1 + exp(x))</c>, computed stably.</summary>
        [DslOp(OpCode.Softplus)] public static T Softplus<T>(FloatValue<T> x) where T : FloatValue<T> => x.Apply(OpCode.Softplus, x.Expr);
        [DslOp(OpCode.Sigmoid)] public static T Sigmoid<T>(FloatValue<T> x) where T : FloatValue<T> => x.Apply(OpCode.Sigmoid, x.Expr);

        /// <summary><c>log σ(x)</c>, computed stably.</summary>
        [DslOp(OpCode.LogSigmoid)] public static T LogSigmoid<T>(FloatValue<T> x) where T : FloatValue<T> => x.Apply(OpCode.LogSigmoid, x.Expr);
        [DslOp(OpCode.Tanh)] public static T Tanh<T>(FloatValue<T> x) where T : FloatValue<T> => x.Apply(OpCode.Tanh, x.Expr);
        [DslOp(OpCode.Cos)] public static T Cos<T>(FloatValue<T> x) where T : FloatValue<T> => x.Apply(OpCode.Cos, x.Expr);
        [DslOp(OpCode.Sin)] public static T Sin<T>(FloatValue<T> x) where T : FloatValue<T> => x.Apply(OpCode.Sin, x.Expr);

        /// <summary><c>arccos(x)</c> in radians (x in [−1, 1]; clamp first where rounding may leave it).</summary>
        [DslOp(OpCode.Acos)] public static T Acos<T>(FloatValue<T> x) where T : FloatValue<T> => x.Apply(OpCode.Acos, x.Expr);

        /// <summary><c>x^p</c> for a number <paramref name="p"/>.</summary>
        [DslOp(OpCode.Pow)] public static T Pow<T>(FloatValue<T> x, double p) where T : FloatValue<T> => x.Apply(OpCode.Pow, x.Expr, Expr.Const(p));

        /// <summary><c>min(max(x, low), high)</c>; the gradient is 0 where the value is clamped.</summary>
        [DslOp(OpCode.Clamp)]
        public static T Clamp<T>(FloatValue<T> x, double low, double high) where T : FloatValue<T> =>
            x.Apply(OpCode.Clamp, x.Expr, Expr.Const(low), Expr.Const(high));

        /// <summary>The smaller of two values, entry-wise; the gradient goes to the smaller.</summary>
        [DslOp(OpCode.Minimum)] public static T Minimum<T>(FloatValue<T> a, FloatValue<T> b) where T : FloatValue<T> => a.Apply(OpCode.Minimum, a.Expr, b.Expr);

        /// <summary>The larger of two values, entry-wise; the gradient goes to the larger (to the first on a tie).</summary>
        [DslOp(OpCode.Maximum)] public static T Maximum<T>(FloatValue<T> a, FloatValue<T> b) where T : FloatValue<T> => a.Apply(OpCode.Maximum, a.Expr, b.Expr);

        /// <summary>The smaller of a value and a number, entry-wise.</summary>
        [DslOp(OpCode.Minimum)] public static T Minimum<T>(FloatValue<T> a, double b) where T : FloatValue<T> => a.Apply(OpCode.Minimum, a.Expr, Expr.Const(b));

        /// <summary>The larger of a value and a number, entry-wise (<c>Maximum(count, 1)</c>: a safe divisor).</summary>
        [DslOp(OpCode.Maximum)] public static T Maximum<T>(FloatValue<T> a, double b) where T : FloatValue<T> => a.Apply(OpCode.Maximum, a.Expr, Expr.Const(b));

        /// <summary><c>log(e^a + e^b)</c>, computed stably (−∞ where both are −∞, with no gradient).</summary>
        [DslOp(OpCode.LogAddExp)] public static T LogAddExp<T>(FloatValue<T> a, FloatValue<T> b) where T : FloatValue<T> => a.Apply(OpCode.LogAddExp, a.Expr, b.Expr);

        /// <summary><paramref name="then"/> where <paramref name="condition"/> holds, <paramref name="otherwise"/>
        /// elsewhere; the gradient reaches only the chosen side.</summary>
        [DslOp(OpCode.Where)]
        public static T Where<T>(Condition condition, FloatValue<T> then, FloatValue<T> otherwise) where T : FloatValue<T> =>
            then.Apply(OpCode.Where, condition.Expr, then.Expr, otherwise.Expr);

        /// <summary>The same value with no gradient flowing back through it.</summary>
        [DslOp(OpCode.StopGradient)] public static T Frozen<T>(FloatValue<T> x) where T : FloatValue<T> => x.Apply(OpCode.StopGradient, x.Expr);
    }
}
