using LossDsl.Ir;

namespace LossDsl
{
    /// <summary>The functions of the loss DSL. Bring them into scope with <c>using static LossDsl.Dsl;</c>.
    /// Each carries the IR operation it builds; the generator lowers calls through that attribute.</summary>
    public static class Dsl
    {
        // ---- Row operations -------------------------------------------------------------------

        /// <summary>Each row divided by its L2 norm (<c>x / max(‖x‖, 1e-12)</c>).</summary>
        [DslOp(OpCode.Normalize)] public static Embeddings Normalize(Embeddings x) => x.Apply(OpCode.Normalize, x.Expr);

        /// <summary>Each row divided by its L2 norm (<c>x / max(‖x‖, 1e-12)</c>).</summary>
        [DslOp(OpCode.Normalize)] public static Logits Normalize(Logits x) => x.Apply(OpCode.Normalize, x.Expr);

        /// <summary>Row-wise softmax over classes.</summary>
        [DslOp(OpCode.Softmax)] public static Probs Softmax(Logits x) => new(Expr.Of(OpCode.Softmax, ValueKind.Probs, x.Expr));

        /// <summary>Row-wise softmax of <c>x / temperature</c>.</summary>
        [DslOp(OpCode.Softmax)]
        public static Probs Softmax(Logits x, [Temperature] double temperature) =>
            new(Expr.Of(OpCode.Softmax, ValueKind.Probs, x.Expr, Expr.Const(temperature)));

        /// <summary>Row-wise log-softmax over classes.</summary>
        [DslOp(OpCode.LogSoftmax)] public static LogProbs LogSoftmax(Logits x) => new(Expr.Of(OpCode.LogSoftmax, ValueKind.LogProbs, x.Expr));

        /// <summary>Row-wise log-softmax of <c>x / temperature</c>.</summary>
        [DslOp(OpCode.LogSoftmax)]
        public static LogProbs LogSoftmax(Logits x, [Temperature] double temperature) =>
            new(Expr.Of(OpCode.LogSoftmax, ValueKind.LogProbs, x.Expr, Expr.Const(temperature)));

        /// <summary>The L2 norm of each row.</summary>
        [DslOp(OpCode.RowNorm)] public static Vector Norm(IRows x) => new(Expr.Of(OpCode.RowNorm, ValueKind.Vector, x.Expr));

        // ---- Criteria ---------------------------------------------------------------------------

        /// <summary>Cross-entropy of logits against class labels, averaged over the batch.</summary>
        [DslOp(OpCode.CrossEntropy)]
        public static Real CrossEntropy(Logits logits, Labels labels) =>
            new(Expr.Of(OpCode.CrossEntropy, ValueKind.Real, logits.Expr, labels.Expr));

        /// <summary><c>KL(target ‖ input)</c> summed over classes and averaged over the batch, with the
        /// target as probabilities and the input as log-probabilities (PyTorch's <c>kl_div(input, target,
        /// 'batchmean')</c>).</summary>
        [DslOp(OpCode.KL)]
        public static Real KL(Probs target, LogProbs input) =>
            new(Expr.Of(OpCode.KL, ValueKind.Real, target.Expr, input.Expr));

        /// <summary>Mean squared error over all entries.</summary>
        [DslOp(OpCode.Mse)]
        public static Real Mse<T>(FloatValue<T> a, FloatValue<T> b) where T : FloatValue<T> =>
            new(Expr.Of(OpCode.Mse, ValueKind.Real, a.Expr, b.Expr));

        /// <summary>Smooth L1 (Huber with threshold <paramref name="beta"/>) averaged over all entries:
        /// <c>0.5 x² / β</c> if <c>|x| &lt; β</c>, else <c>|x| − 0.5 β</c>.</summary>
        [DslOp(OpCode.SmoothL1)]
        public static Real SmoothL1<T>(FloatValue<T> a, FloatValue<T> b, double beta = 1.0) where T : FloatValue<T> =>
            new(Expr.Of(OpCode.SmoothL1, ValueKind.Real, a.Expr, b.Expr, Expr.Const(beta)));

        // ---- Relations and graphs ------------------------------------------------------------------

        /// <summary>Similarities of all pairs of rows of <paramref name="x"/>.</summary>
        [DslOp(OpCode.Pairwise)] public static Relation Pairwise(IRows x, Similarity metric) => Pair(x, x, metric.ToString());

        /// <summary>Similarities between the rows of <paramref name="x"/> and of <paramref name="y"/>.</summary>
        [DslOp(OpCode.Pairwise)] public static Relation Pairwise(IRows x, IRows y, Similarity metric) => Pair(x, y, metric.ToString());

        /// <summary>Distances of all pairs of rows of <paramref name="x"/> (the diagonal is exactly 0).</summary>
        [DslOp(OpCode.Pairwise)] public static Relation Pairwise(IRows x, Distance metric) => Pair(x, x, metric.ToString());

        /// <summary>Distances between the rows of <paramref name="x"/> and of <paramref name="y"/>.</summary>
        [DslOp(OpCode.Pairwise)] public static Relation Pairwise(IRows x, IRows y, Distance metric) => Pair(x, y, metric.ToString());

        private static Relation Pair(IRows x, IRows y, string metric) =>
            new(Expr.Of(OpCode.Pairwise, ValueKind.Relation, metric, x.Expr, y.Expr));

        /// <summary>Pairs with equal labels (the diagonal included; chain <c>.ExcludeSelf()</c>).</summary>
        [DslOp(OpCode.SameLabel)] public static Graph SameLabel(Labels y) => new(Expr.Of(OpCode.SameLabel, ValueKind.Graph, y.Expr));

        /// <summary>Pairs with different labels.</summary>
        [DslOp(OpCode.DifferentLabel)] public static Graph DifferentLabel(Labels y) => new(Expr.Of(OpCode.DifferentLabel, ValueKind.Graph, y.Expr));

        /// <summary>Every pair of the batch (chain <c>.ExcludeSelf()</c> to drop the diagonal).</summary>
        [DslOp(OpCode.AllPairs)] public static Graph AllPairs() => new(Expr.Of(OpCode.AllPairs, ValueKind.Graph));

        // ---- Element-wise functions -------------------------------------------------------------

        [DslOp(OpCode.Exp)] public static T Exp<T>(FloatValue<T> x) where T : FloatValue<T> => x.Apply(OpCode.Exp, x.Expr);
        [DslOp(OpCode.Log)] public static T Log<T>(FloatValue<T> x) where T : FloatValue<T> => x.Apply(OpCode.Log, x.Expr);
        [DslOp(OpCode.Sqrt)] public static T Sqrt<T>(FloatValue<T> x) where T : FloatValue<T> => x.Apply(OpCode.Sqrt, x.Expr);
        [DslOp(OpCode.Square)] public static T Square<T>(FloatValue<T> x) where T : FloatValue<T> => x.Apply(OpCode.Square, x.Expr);
        [DslOp(OpCode.Abs)] public static T Abs<T>(FloatValue<T> x) where T : FloatValue<T> => x.Apply(OpCode.Abs, x.Expr);
        [DslOp(OpCode.Relu)] public static T Relu<T>(FloatValue<T> x) where T : FloatValue<T> => x.Apply(OpCode.Relu, x.Expr);

        /// <summary><c>log(1 + exp(x))</c>, computed stably.</summary>
        [DslOp(OpCode.Softplus)] public static T Softplus<T>(FloatValue<T> x) where T : FloatValue<T> => x.Apply(OpCode.Softplus, x.Expr);
        [DslOp(OpCode.Sigmoid)] public static T Sigmoid<T>(FloatValue<T> x) where T : FloatValue<T> => x.Apply(OpCode.Sigmoid, x.Expr);

        /// <summary><c>log σ(x)</c>, computed stably.</summary>
        [DslOp(OpCode.LogSigmoid)] public static T LogSigmoid<T>(FloatValue<T> x) where T : FloatValue<T> => x.Apply(OpCode.LogSigmoid, x.Expr);

        /// <summary>The same value with no gradient flowing back through it.</summary>
        [DslOp(OpCode.StopGradient)] public static T Frozen<T>(FloatValue<T> x) where T : FloatValue<T> => x.Apply(OpCode.StopGradient, x.Expr);
    }
}
