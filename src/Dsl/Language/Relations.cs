using LossDsl.Ir;

namespace LossDsl
{
    /// <summary>A value per pair of rows, <c>[N, M]</c>: <c>r_ij = f(x_i, y_j)</c>.</summary>
    public sealed class Relation : FloatValue<Relation>
    {
        internal Relation(Expr expr) : base(expr) { }
        internal override Relation Wrap(Expr expr) => new(expr);

        /// <summary>Restricts the relation to the pairs of <paramref name="graph"/>, for masked reductions.</summary>
        [DslOp(OpCode.Over)] public Masked Over(Graph graph) => new(Expr.Of(OpCode.Over, ValueKind.Masked, Expr, graph.Expr));

        /// <summary><c>r / mean(r_ij : r_ij &gt; 0)</c>: the relation in units of its mean positive entry
        /// (RKD's distance normalisation; the normaliser is differentiated too).</summary>
        [DslOp(OpCode.MeanNormalized)] public Relation MeanNormalized() => Apply(OpCode.MeanNormalized, Expr);

        /// <summary>Triplet margins <c>t_apn = r_ap − r_an</c> over the anchors' positive pairs
        /// <paramref name="positives"/> and negative pairs <paramref name="negatives"/>.</summary>
        [DslOp(OpCode.Triplets)]
        public Triplets Triplets(Graph positives, Graph negatives) =>
            new(Expr.Of(OpCode.Triplets, ValueKind.Triplets, Expr, positives.Expr, negatives.Expr));

        // Relation ⊕ Vector broadcasts the vector along rows: (r ⊕ v)_ij = r_ij ⊕ v_i.
        public static Relation operator +(Relation r, Vector v) => r.Apply(OpCode.Add, r.Expr, v.Expr);
        public static Relation operator -(Relation r, Vector v) => r.Apply(OpCode.Sub, r.Expr, v.Expr);
        public static Relation operator *(Relation r, Vector v) => r.Apply(OpCode.Mul, r.Expr, v.Expr);
        public static Relation operator /(Relation r, Vector v) => r.Apply(OpCode.Div, r.Expr, v.Expr);
        public static Relation operator +(Vector v, Relation r) => r.Apply(OpCode.Add, v.Expr, r.Expr);
        public static Relation operator -(Vector v, Relation r) => r.Apply(OpCode.Sub, v.Expr, r.Expr);
        public static Relation operator *(Vector v, Relation r) => r.Apply(OpCode.Mul, v.Expr, r.Expr);
        public static Relation operator /(Vector v, Relation r) => r.Apply(OpCode.Div, v.Expr, r.Expr);
    }

    /// <summary>Which pairs count: a boolean <c>[N, M]</c>.</summary>
    public sealed class Graph : DslValue
    {
        internal Graph(Expr expr) : base(expr) { }

        /// <summary>Drops the pairs <c>(i, i)</c>.</summary>
        [DslOp(OpCode.ExcludeSelf)] public Graph ExcludeSelf() => new(Expr.Of(OpCode.ExcludeSelf, ValueKind.Graph, Expr));
    }

    /// <summary>A relation seen through a graph. Row reductions run over <c>j</c> with <c>(i, j)</c> in
    /// the graph; an empty row gives the reduction's identity (0 for sums and means, −∞ for log-sum-exp
    /// and max, +∞ for min) and passes no gradient.</summary>
    public sealed class Masked : DslValue
    {
        internal Masked(Expr expr) : base(expr) { }

        private Vector Row(OpCode op) => new(Expr.Of(op, ValueKind.Vector, Expr));

        [DslOp(OpCode.RowLogSumExp)] public Vector LogSumExp() => Row(OpCode.RowLogSumExp);
        [DslOp(OpCode.RowSum)] public Vector Sum() => Row(OpCode.RowSum);
        [DslOp(OpCode.RowMean)] public Vector Mean() => Row(OpCode.RowMean);
        [DslOp(OpCode.RowMax)] public Vector Max() => Row(OpCode.RowMax);
        [DslOp(OpCode.RowMin)] public Vector Min() => Row(OpCode.RowMin);

        /// <summary>The mean over all selected pairs (0 when none is selected).</summary>
        [DslOp(OpCode.Mean)] public Real MeanOverPairs() => new(Expr.Of(OpCode.Mean, ValueKind.Real, Expr));

        /// <summary>The sum over all selected pairs.</summary>
        [DslOp(OpCode.Sum)] public Real SumOverPairs() => new(Expr.Of(OpCode.Sum, ValueKind.Real, Expr));

        /// <summary>The mean over the selected pairs whose value is strictly positive; 0 when none is
        /// (pytorch-metric-learning's AvgNonZeroReducer over pairs).</summary>
        [DslOp(OpCode.MeanNonZero)] public Real MeanNonZeroOverPairs() => new(Expr.Of(OpCode.MeanNonZero, ValueKind.Real, Expr));
    }

    /// <summary>A value per selected (anchor, positive, negative) triplet, <c>[N, N, N]</c> with a mask.</summary>
    public sealed class Triplets : FloatValue<Triplets>
    {
        internal Triplets(Expr expr) : base(expr) { }
        internal override Triplets Wrap(Expr expr) => new(expr);

        /// <summary>Keeps the triplets whose current value is ≥ 0, i.e. <c>d_an ≤ d_ap</c> for distance margins
        /// (pytorch-metric-learning's "hard" triplets). Selection is not differentiated.</summary>
        [DslOp(OpCode.MineHard)] public Triplets MineHard() => Apply(OpCode.MineHard, Expr);

        /// <summary>Keeps the triplets with <c>−margin ≤ t &lt; 0</c> ("semi-hard": the negative is farther
        /// than the positive, but within the margin).</summary>
        [DslOp(OpCode.MineSemiHard)] public Triplets MineSemiHard(double margin) => Apply(OpCode.MineSemiHard, Expr, Ir.Expr.Const(margin));

        [DslOp(OpCode.Mean)] public Real Mean() => new(Expr.Of(OpCode.Mean, ValueKind.Real, Expr));
        [DslOp(OpCode.Sum)] public Real Sum() => new(Expr.Of(OpCode.Sum, ValueKind.Real, Expr));

        /// <summary>The mean over selected triplets with a strictly positive value; 0 when none.</summary>
        [DslOp(OpCode.MeanNonZero)] public Real MeanNonZero() => new(Expr.Of(OpCode.MeanNonZero, ValueKind.Real, Expr));
    }
}
