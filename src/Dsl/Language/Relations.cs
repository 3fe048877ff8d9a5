using LossDsl.Ir;

namespace LossDsl
{
    /// <summary>A value per pair of rows, <c>[N, M]</c>: <c>r_ij = f(x_i, y_j)</c> (or per pair of tokens of each
    /// sample, <c>[N, T, T]</c>; per triple of rows, <c>[N, N, N]</c>). A per-sample vector broadcasts along rows:
    /// <c>(r + v)_ij = r_ij + v_i</c>; use <see cref="Vector.PerColumn"/> for <c>v_j</c>.</summary>
    public sealed class Relation : FloatValue<Relation>
    {
        internal Relation(Expr expr) : base(expr) { }
        internal override Relation Wrap(Expr expr) => new(expr);

        /// <summary>Restricts the relation to the pairs of <paramref name="graph"/>, for masked reductions.</summary>
        [DslOp(OpCode.Over)] public Masked Over(Graph graph) => new(Expr.Of(OpCode.Over, ValueKind.Masked, Expr, graph.Expr));

        /// <summary>Weights every pair by <paramref name="weights"/> (a soft graph: mixup targets, soft labels):
        /// reductions become <c>Σ_j w_ij r_ij</c>, <c>Σ_j w_ij r_ij / Σ_j w_ij</c>, <c>log Σ_j w_ij e^{r_ij}</c>.</summary>
        [DslOp(OpCode.Over)] public Masked Over(Relation weights) => new(Expr.Of(OpCode.Over, ValueKind.Masked, Expr, weights.Expr));

        /// <summary>The weighted mean of the rows of <paramref name="x"/> <c>[M, D]</c> under this relation's
        /// non-negative weights <c>[R, M]</c>: <c>Σ_j w_ij x_j / Σ_j w_ij</c>, <c>[R, D]</c> (0 for a row of zero weights).</summary>
        [DslOp(OpCode.MeanOf)] public T MeanOf<T>(FloatValue<T> x) where T : FloatValue<T> => x.Apply(OpCode.MeanOf, Expr, x.Expr);

        /// <summary><c>r / mean(r_ij : r_ij &gt; 0)</c>: the relation in units of its mean positive entry
        /// (RKD's distance normalisation; the normaliser is differentiated too).</summary>
        [DslOp(OpCode.MeanNormalized)] public Relation MeanNormalized() => Apply(OpCode.MeanNormalized, Expr);

        /// <summary><c>r_ap</c> for every triplet (a, p, n) of the anchors' positive and negative pairs (a triplet
        /// value that does not depend on n, for losses that treat the two pairs apart).</summary>
        [DslOp(OpCode.AnchorPositive)]
        public Triplets AnchorPositive(Graph positives, Graph negatives) =>
            new(Expr.Of(OpCode.AnchorPositive, ValueKind.Triplets, Expr, positives.Expr, negatives.Expr));

        /// <summary><c>r_an</c> for every triplet (a, p, n) of the anchors' positive and negative pairs.</summary>
        [DslOp(OpCode.AnchorNegative)]
        public Triplets AnchorNegative(Graph positives, Graph negatives) =>
            new(Expr.Of(OpCode.AnchorNegative, ValueKind.Triplets, Expr, positives.Expr, negatives.Expr));

        /// <summary>Triplet margins <c>t_apn = r_ap − r_an</c> over the anchors' positive pairs
        /// <paramref name="positives"/> and negative pairs <paramref name="negatives"/>.</summary>
        [DslOp(OpCode.Triplets)]
        public Triplets Triplets(Graph positives, Graph negatives) =>
            new(Expr.Of(OpCode.Triplets, ValueKind.Triplets, Expr, positives.Expr, negatives.Expr));

        /// <summary>The relation's value at every matched pair of <paramref name="matching"/>, <c>[M]</c>.</summary>
        [DslOp(OpCode.AtPairs)] public Vector At(Matching matching) => new(Expr.Of(OpCode.AtPairs, ValueKind.Vector, Expr, matching.Expr));

        // Vector ⊕ Relation broadcasts the vector along rows: (v ⊕ r)_ij = v_i ⊕ r_ij (Relation ⊕ Vector is FloatValue's).
        public static Relation operator +(Vector v, Relation r) => r.Apply(OpCode.Add, v.Expr, r.Expr);
        public static Relation operator -(Vector v, Relation r) => r.Apply(OpCode.Sub, v.Expr, r.Expr);
        public static Relation operator *(Vector v, Relation r) => r.Apply(OpCode.Mul, v.Expr, r.Expr);
        public static Relation operator /(Vector v, Relation r) => r.Apply(OpCode.Div, v.Expr, r.Expr);
    }

    /// <summary>Which pairs count: a boolean <c>[N, M]</c>. Combine with <c>&amp;</c>, <c>|</c>, <c>!</c>.</summary>
    public sealed class Graph : DslValue
    {
        internal Graph(Expr expr) : base(expr) { }

        private Graph Apply(OpCode op, params Expr[] args) => new(Expr.Of(op, ValueKind.Graph, args));

        /// <summary>The mean of the rows of <paramref name="x"/> <c>[M, D]</c> that each row of the graph <c>[R, M]</c>
        /// selects: <c>(1/|g(i)|) Σ_{j ∈ g(i)} x_j</c>, <c>[R, D]</c>; a row with no pair gives 0 (and no gradient).
        /// <c>SameLabel(y).MeanOf(z)</c> is each sample's class mean (its prototype), <c>ClassOf(y).Transposed().MeanOf(z)</c>
        /// the class means of a class table.</summary>
        [DslOp(OpCode.MeanOf)] public T MeanOf<T>(FloatValue<T> x) where T : FloatValue<T> => x.Apply(OpCode.MeanOf, Expr, x.Expr);

        /// <summary>Drops the pairs <c>(i, i)</c>; rows and columns must be one set.</summary>
        [DslOp(OpCode.ExcludeSelf)] public Graph ExcludeSelf() => Apply(OpCode.ExcludeSelf, Expr);

        /// <summary>The graph with rows and columns swapped.</summary>
        [DslOp(OpCode.Transpose)] public Graph Transposed() => Apply(OpCode.Transpose, Expr);

        /// <summary>The rows that have at least one pair, <c>[N]</c> (anchors with a positive).</summary>
        [DslOp(OpCode.HasAny)] public Condition HasAny() => new(Expr.Of(OpCode.HasAny, ValueKind.Condition, Expr));

        /// <summary>1 for the pairs of the graph, 0 elsewhere: soft-graph weights to combine (mixup:
        /// <c>λ·SameLabel(y1, y).AsWeights() + (1 − λ)·SameLabel(y2, y).AsWeights()</c>).</summary>
        [DslOp(OpCode.Indicator)] public Relation AsWeights() => new(Expr.Of(OpCode.Indicator, ValueKind.Relation, Expr));

        public static Graph operator &(Graph a, Graph b) => a.Apply(OpCode.And, a.Expr, b.Expr);
        public static Graph operator |(Graph a, Graph b) => a.Apply(OpCode.Or, a.Expr, b.Expr);
        public static Graph operator !(Graph a) => a.Apply(OpCode.Not, a.Expr);
    }

    /// <summary>A relation seen through a graph (or weighted by a soft one). Row reductions run over <c>j</c> with
    /// <c>(i, j)</c> in the graph; an empty row gives the reduction's identity (0 for sums and means, −∞ for
    /// log-sum-exp and max, +∞ for min) and passes no gradient.</summary>
    public sealed class Masked : DslValue
    {
        internal Masked(Expr expr) : base(expr) { }

        private Vector Row(OpCode op) => new(Expr.Of(op, ValueKind.Vector, Expr));

        [DslOp(OpCode.RowLogSumExp)] public Vector LogSumExp() => Row(OpCode.RowLogSumExp);
        [DslOp(OpCode.RowSum)] public Vector Sum() => Row(OpCode.RowSum);
        [DslOp(OpCode.RowMean)] public Vector Mean() => Row(OpCode.RowMean);

        /// <summary>The largest selected value of each row; the gradient reaches that pair only.</summary>
        [DslOp(OpCode.RowMax)] public Vector Max() => Row(OpCode.RowMax);

        /// <summary>The smallest selected value of each row; the gradient reaches that pair only.</summary>
        [DslOp(OpCode.RowMin)] public Vector Min() => Row(OpCode.RowMin);

        /// <summary>The relation and graph with rows and columns swapped (reductions per column).</summary>
        [DslOp(OpCode.Transpose)] public Masked Transposed() => new(Expr.Of(OpCode.Transpose, ValueKind.Masked, Expr));

        /// <summary>The mean over all selected pairs (0 when none is selected).</summary>
        [DslOp(OpCode.Mean)] public Real MeanOverPairs() => new(Expr.Of(OpCode.Mean, ValueKind.Real, Expr));

        /// <summary>The sum over all selected pairs.</summary>
        [DslOp(OpCode.Sum)] public Real SumOverPairs() => new(Expr.Of(OpCode.Sum, ValueKind.Real, Expr));

        /// <summary>The mean over the selected pairs whose value is strictly positive; 0 when none is
        /// (pytorch-metric-learning's AvgNonZeroReducer over pairs).</summary>
        [DslOp(OpCode.MeanNonZero)] public Real MeanNonZeroOverPairs() => new(Expr.Of(OpCode.MeanNonZero, ValueKind.Real, Expr));
    }

    /// <summary>A value per selected (anchor, positive, negative) triplet, <c>[N, N, N]</c> with a mask;
    /// <c>Mean</c>, <c>Sum</c> and <c>MeanNonZero</c> run over the selected triplets.</summary>
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
    }
}
