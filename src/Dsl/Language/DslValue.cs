using LossDsl.Ir;

namespace LossDsl
{
    /// <summary>A value of the loss DSL. At run time it holds the expression that built it (so a term
    /// method, called with symbolic inputs, traces its IR); at compile time the generator reads the
    /// same expression from the term's syntax.</summary>
    public abstract class DslValue
    {
        private protected DslValue(Expr expr) => Expr = expr;

        /// <summary>The expression this value stands for.</summary>
        public Expr Expr { get; }

        public override string ToString() => Expr.Op + ":" + Expr.Kind;

        private protected static InputAttr InputAttr(string name, string[] dims) => new(name, dims);
    }

    /// <summary>Values with features (or classes) on their last axis, one row per sample: logits,
    /// probabilities, embeddings, token features. Pairwise relations compare their rows.</summary>
    public interface IRows
    {
        Expr Expr { get; }
    }

    /// <summary>A floating-point value with element-wise arithmetic. Arithmetic keeps the kind:
    /// <c>logits / T</c> is logits. Two values of equal rank combine entry by entry; a value with fewer axes
    /// is broadcast along the axes it lacks (a per-sample vector along a relation's rows).</summary>
    public abstract class FloatValue<TSelf> : DslValue where TSelf : FloatValue<TSelf>
    {
        private protected FloatValue(Expr expr) : base(expr) { }

        internal abstract TSelf Wrap(Expr expr);

        internal TSelf Apply(OpCode op, params Expr[] args) => Wrap(Expr.Of(op, Expr.Kind, args));

        internal TSelf Apply(OpCode op, NodeAttr attr, params Expr[] args) => Wrap(Expr.Of(op, Expr.Kind, attr, args));

        private static Expr Num(double value) => Expr.Const(value);

        private static Condition Compare(OpCode op, Expr a, Expr b) => new(Expr.Of(op, ValueKind.Condition, a, b));

        public static TSelf operator +(FloatValue<TSelf> a, FloatValue<TSelf> b) => a.Apply(OpCode.Add, a.Expr, b.Expr);
        public static TSelf operator -(FloatValue<TSelf> a, FloatValue<TSelf> b) => a.Apply(OpCode.Sub, a.Expr, b.Expr);
        public static TSelf operator *(FloatValue<TSelf> a, FloatValue<TSelf> b) => a.Apply(OpCode.Mul, a.Expr, b.Expr);
        public static TSelf operator /(FloatValue<TSelf> a, FloatValue<TSelf> b) => a.Apply(OpCode.Div, a.Expr, b.Expr);

        public static TSelf operator +(FloatValue<TSelf> a, Real b) => a.Apply(OpCode.Add, a.Expr, b.Expr);
        public static TSelf operator -(FloatValue<TSelf> a, Real b) => a.Apply(OpCode.Sub, a.Expr, b.Expr);
        public static TSelf operator *(FloatValue<TSelf> a, Real b) => a.Apply(OpCode.Mul, a.Expr, b.Expr);
        public static TSelf operator /(FloatValue<TSelf> a, Real b) => a.Apply(OpCode.Div, a.Expr, b.Expr);

        public static TSelf operator +(FloatValue<TSelf> a, double b) => a.Apply(OpCode.Add, a.Expr, Num(b));
        public static TSelf operator -(FloatValue<TSelf> a, double b) => a.Apply(OpCode.Sub, a.Expr, Num(b));
        public static TSelf operator *(FloatValue<TSelf> a, double b) => a.Apply(OpCode.Mul, a.Expr, Num(b));
        public static TSelf operator /(FloatValue<TSelf> a, double b) => a.Apply(OpCode.Div, a.Expr, Num(b));

        public static TSelf operator +(double a, FloatValue<TSelf> b) => b.Apply(OpCode.Add, Num(a), b.Expr);
        public static TSelf operator -(double a, FloatValue<TSelf> b) => b.Apply(OpCode.Sub, Num(a), b.Expr);
        public static TSelf operator *(double a, FloatValue<TSelf> b) => b.Apply(OpCode.Mul, Num(a), b.Expr);
        public static TSelf operator /(double a, FloatValue<TSelf> b) => b.Apply(OpCode.Div, Num(a), b.Expr);

        public static TSelf operator -(FloatValue<TSelf> a) => a.Apply(OpCode.Neg, a.Expr);

        // A per-sample vector broadcasts along the axes it lacks: (x / v)_ij = x_ij / v_i.
        public static TSelf operator +(FloatValue<TSelf> a, Vector b) => a.Apply(OpCode.Add, a.Expr, b.Expr);
        public static TSelf operator -(FloatValue<TSelf> a, Vector b) => a.Apply(OpCode.Sub, a.Expr, b.Expr);
        public static TSelf operator *(FloatValue<TSelf> a, Vector b) => a.Apply(OpCode.Mul, a.Expr, b.Expr);
        public static TSelf operator /(FloatValue<TSelf> a, Vector b) => a.Apply(OpCode.Div, a.Expr, b.Expr);

        /// <summary><c>[a &lt; b]</c> entry-wise (not differentiated).</summary>
        public static Condition operator <(FloatValue<TSelf> a, FloatValue<TSelf> b) => Compare(OpCode.Less, a.Expr, b.Expr);
        /// <summary><c>[a &gt; b]</c> entry-wise (not differentiated).</summary>
        public static Condition operator >(FloatValue<TSelf> a, FloatValue<TSelf> b) => Compare(OpCode.Greater, a.Expr, b.Expr);
        /// <summary><c>[a ≤ b]</c> entry-wise (not differentiated).</summary>
        public static Condition operator <=(FloatValue<TSelf> a, FloatValue<TSelf> b) => Compare(OpCode.LessEq, a.Expr, b.Expr);
        /// <summary><c>[a ≥ b]</c> entry-wise (not differentiated).</summary>
        public static Condition operator >=(FloatValue<TSelf> a, FloatValue<TSelf> b) => Compare(OpCode.GreaterEq, a.Expr, b.Expr);
        /// <summary><c>[a &lt; b]</c> entry-wise (not differentiated).</summary>
        public static Condition operator <(FloatValue<TSelf> a, double b) => Compare(OpCode.Less, a.Expr, Num(b));
        /// <summary><c>[a &gt; b]</c> entry-wise (not differentiated).</summary>
        public static Condition operator >(FloatValue<TSelf> a, double b) => Compare(OpCode.Greater, a.Expr, Num(b));
        /// <summary><c>[a ≤ b]</c> entry-wise (not differentiated).</summary>
        public static Condition operator <=(FloatValue<TSelf> a, double b) => Compare(OpCode.LessEq, a.Expr, Num(b));
        /// <summary><c>[a ≥ b]</c> entry-wise (not differentiated).</summary>
        public static Condition operator >=(FloatValue<TSelf> a, double b) => Compare(OpCode.GreaterEq, a.Expr, Num(b));

        /// <summary>The mean of every entry (for triplets: of the selected ones; 0 when none is).</summary>
        [DslOp(OpCode.Mean)] public Real Mean() => new(Expr.Of(OpCode.Mean, ValueKind.Real, Expr));

        /// <summary>The sum of every entry (for triplets: of the selected ones).</summary>
        [DslOp(OpCode.Sum)] public Real Sum() => new(Expr.Of(OpCode.Sum, ValueKind.Real, Expr));

        /// <summary>The mean of the entries that are strictly positive; 0 when none is (pytorch-metric-learning's
        /// AvgNonZeroReducer).</summary>
        [DslOp(OpCode.MeanNonZero)] public Real MeanNonZero() => new(Expr.Of(OpCode.MeanNonZero, ValueKind.Real, Expr));

        /// <summary>The number of entries that are strictly positive (for triplets and masked values: of the selected
        /// ones), no gradient: PML's divisor of positive terms.</summary>
        [DslOp(OpCode.CountPositive)] public Real CountPositive() => new(Expr.Of(OpCode.CountPositive, ValueKind.Real, Expr));

        /// <summary>The last two axes swapped: <c>[D, C]</c> → <c>[C, D]</c> (a class-weight matrix stored
        /// features × classes, as pytorch-metric-learning's <c>W</c>).</summary>
        [DslOp(OpCode.Transpose)] public TSelf Transposed() => Apply(OpCode.Transpose, Expr);

        /// <summary>The same values read as logits (a scaled similarity to classes, for cross-entropy).</summary>
        [DslOp(OpCode.As)] public Logits AsLogits() => new(Expr.Of(OpCode.As, ValueKind.Logits, Expr));

        /// <summary>The same values read as probabilities.</summary>
        [DslOp(OpCode.As)] public Probs AsProbs() => new(Expr.Of(OpCode.As, ValueKind.Probs, Expr));

        /// <summary>The same values read as log-probabilities.</summary>
        [DslOp(OpCode.As)] public LogProbs AsLogProbs() => new(Expr.Of(OpCode.As, ValueKind.LogProbs, Expr));

        /// <summary>The same values read as feature rows (to compare them pairwise).</summary>
        [DslOp(OpCode.As)] public Embeddings AsEmbeddings() => new(Expr.Of(OpCode.As, ValueKind.Embeddings, Expr));

        /// <summary>The number of entries (no gradient): a batch size, a number of boxes.</summary>
        [DslOp(OpCode.Count)] public Real Count() => new(Expr.Of(OpCode.Count, ValueKind.Real, Expr));

        /// <summary>The sum over the named axes (<c>Sum("H", "W")</c> of a <c>[B, C, H, W]</c> value is <c>[B, C]</c>).</summary>
        [DslOp(OpCode.RowSum)] public Vector Sum(params string[] axes) => Axes(OpCode.RowSum, axes);

        /// <summary>The mean over the named axes.</summary>
        [DslOp(OpCode.RowMean)] public Vector Mean(params string[] axes) => Axes(OpCode.RowMean, axes);

        /// <summary>The largest entry along the named axes; the gradient reaches that entry only.</summary>
        [DslOp(OpCode.RowMax)] public Vector Max(params string[] axes) => Axes(OpCode.RowMax, axes);

        /// <summary>The smallest entry along the named axes; the gradient reaches that entry only.</summary>
        [DslOp(OpCode.RowMin)] public Vector Min(params string[] axes) => Axes(OpCode.RowMin, axes);

        /// <summary><c>log Σ exp</c> along the named axes, computed stably.</summary>
        [DslOp(OpCode.RowLogSumExp)] public Vector LogSumExp(params string[] axes) => Axes(OpCode.RowLogSumExp, axes);

        /// <summary>Σ over the last axis (features, classes, columns): <c>[N, C]</c> → <c>[N]</c>.</summary>
        [DslOp(OpCode.RowSum)] public Vector RowSum() => Row(OpCode.RowSum);

        /// <summary>The mean over the last axis.</summary>
        [DslOp(OpCode.RowMean)] public Vector RowMean() => Row(OpCode.RowMean);

        /// <summary>The largest entry of the last axis; the gradient reaches that entry only.</summary>
        [DslOp(OpCode.RowMax)] public Vector RowMax() => Row(OpCode.RowMax);

        /// <summary>The smallest entry of the last axis; the gradient reaches that entry only.</summary>
        [DslOp(OpCode.RowMin)] public Vector RowMin() => Row(OpCode.RowMin);

        /// <summary><c>log Σ_c exp(x_c)</c> over the last axis, computed stably (the log-partition of logits:
        /// PaLM's z-loss squares it).</summary>
        [DslOp(OpCode.RowLogSumExp)] public Vector RowLogSumExp() => Row(OpCode.RowLogSumExp);

        /// <summary>The entry of each row at its label: <c>x[i, y_i]</c> (the target logit), <c>[N, C]</c> → <c>[N]</c>.</summary>
        [DslOp(OpCode.Pick)] public Vector Pick(Labels labels) => new(Expr.Of(OpCode.Pick, ValueKind.Vector, Expr, labels.Expr));

        /// <summary>The columns of the last axis at <paramref name="index"/>: <c>[N, C]</c> at <c>[G]</c> is the relation
        /// <c>[N, G]</c> of <c>x[i, index_j]</c> (each prediction's probability of each target's class).</summary>
        [DslOp(OpCode.Columns)] public Relation Columns(Labels index) => new(Expr.Of(OpCode.Columns, ValueKind.Relation, Expr, index.Expr));

        /// <summary>The rows of this table at <paramref name="index"/>: <c>[T, D]</c> at <c>[B]</c> is <c>[B, D]</c>
        /// (an entity's embedding, a class's prototype); gradients reach the rows read.</summary>
        [DslOp(OpCode.Rows)] public TSelf Rows(Labels index) => Apply(OpCode.Rows, Expr, index.Expr);

        /// <summary>The rows of this table at every entry of <paramref name="index"/>: <c>[T, D]</c> at <c>[B, K]</c> is
        /// <c>[B, K, D]</c> (sampled negatives).</summary>
        [DslOp(OpCode.Rows)] public TSelf Rows(Indices index) => Apply(OpCode.Rows, Expr, index.Expr);

        /// <summary>Part <paramref name="index"/> of <paramref name="of"/> equal parts of the last axis (the real
        /// and imaginary halves of a complex embedding: <c>Part(0, of: 2)</c>, <c>Part(1, of: 2)</c>).</summary>
        [DslOp(OpCode.Part)] public TSelf Part([Constant] int index, [Constant] int of) => Apply(OpCode.Part, new IndexAttr(index, of), Expr);

        /// <summary>The entries of the last axis in ascending order (<c>torch.sort(x, dim=-1).values</c>, stable): the
        /// gradient of each sorted entry flows back to the entry it came from. TRL's AOT losses sort a batch of
        /// log-ratios this way, pairing the i-th smallest of two vectors.</summary>
        [DslOp(OpCode.Sort)] public TSelf Sorted() => Apply(OpCode.Sort, Expr);

        private Vector Axes(OpCode op, string[] axes) => new(Expr.Of(op, ValueKind.Vector, new AxesAttr(axes), Expr));

        private Vector Row(OpCode op) => new(Expr.Of(op, ValueKind.Vector, Expr));
    }
}
