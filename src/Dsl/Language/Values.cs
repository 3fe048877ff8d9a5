using LossDsl.Ir;

namespace LossDsl
{
    /// <summary>A real number as a 0-d tensor: what a term returns. (Named <c>Real</c>, not <c>Scalar</c>, so a
    /// file can import both <c>LossDsl</c> and <c>TorchSharp</c>, whose <c>TorchSharp.Scalar</c> would clash.)</summary>
    public sealed class Real : FloatValue<Real>
    {
        internal Real(Expr expr) : base(expr) { }
        internal override Real Wrap(Expr expr) => new(expr);

        /// <summary>A symbolic input of this kind (for tracing a term at run time).</summary>
        public static Real Input(string name) => new(Expr.Input(name, ValueKind.Real));
        public static Real Input(InputAttr attr) => new(Expr.Input(attr, ValueKind.Real));
    }

    /// <summary>Float values per element, most often one per sample (<c>[N]</c>): row reductions, per-sample
    /// log-probabilities and losses, weights. Reductions over named axes give vectors of other shapes.</summary>
    public sealed class Vector : FloatValue<Vector>
    {
        internal Vector(Expr expr) : base(expr) { }
        internal override Vector Wrap(Expr expr) => new(expr);
        public static Vector Input(string name, params string[] dims) => new(Expr.Input(name, ValueKind.Vector, dims));
        public static Vector Input(InputAttr attr) => new(Expr.Input(attr, ValueKind.Vector));

        /// <summary>The mean over the entries where <paramref name="where"/> holds; 0 when it holds nowhere. The
        /// count comes from the condition, never from the values.</summary>
        [DslOp(OpCode.MeanWhere)] public Real MeanWhere(Condition where) => new(Expr.Of(OpCode.MeanWhere, ValueKind.Real, Expr, where.Expr));

        /// <summary>The sum over the entries where <paramref name="where"/> holds.</summary>
        [DslOp(OpCode.SumWhere)] public Real SumWhere(Condition where) => new(Expr.Of(OpCode.SumWhere, ValueKind.Real, Expr, where.Expr));

        /// <summary>The vector as a value of each row of a relation: <c>v_i</c>, shape <c>[N, 1]</c>.</summary>
        [DslOp(OpCode.PerRow)] public Relation PerRow() => new(Expr.Of(OpCode.PerRow, ValueKind.Relation, Expr));

        /// <summary>The vector as a value of each column of a relation: <c>v_j</c>, shape <c>[1, N]</c>
        /// (<c>v.PerRow() + v.PerColumn()</c> is the relation <c>v_i + v_j</c>).</summary>
        [DslOp(OpCode.PerColumn)] public Relation PerColumn() => new(Expr.Of(OpCode.PerColumn, ValueKind.Relation, Expr));
    }

    /// <summary>Integer class labels or row indices, one per sample (<c>[N]</c>, int64 or int32).</summary>
    public sealed class Labels : DslValue
    {
        internal Labels(Expr expr) : base(expr) { }
        public static Labels Input(string name, params string[] dims) => new(Expr.Input(name, ValueKind.Labels, dims));
        public static Labels Input(InputAttr attr) => new(Expr.Input(attr, ValueKind.Labels));

        /// <summary>Where the label is not the input's <c>[Ignore]</c> index (everywhere when it has none).</summary>
        [DslOp(OpCode.Valid)] public Condition Valid() => new(Expr.Of(OpCode.Valid, ValueKind.Condition, Expr));

        /// <summary>Where a causal language model predicts the token (see <see cref="Dsl.NextTokenLogProbs"/>): every
        /// position of the last axis but the first, unless the token is the <c>[Ignore]</c> index. Its count is the
        /// number of tokens Hugging Face's shifted cross-entropy averages over.</summary>
        [DslOp(OpCode.PredictedTokens)] public Condition Predicted() => new(Expr.Of(OpCode.PredictedTokens, ValueKind.Condition, Expr));

        /// <summary>The number of labels (no gradient).</summary>
        [DslOp(OpCode.Count)] public Real Count() => new(Expr.Of(OpCode.Count, ValueKind.Real, Expr));
    }

    /// <summary>Integer index tuples: an edge list <c>[E, 2]</c>, knowledge-graph triples <c>[E, 3]</c>, sampled
    /// negatives <c>[B, K]</c> (int64 or int32).</summary>
    public sealed class Indices : DslValue
    {
        internal Indices(Expr expr) : base(expr) { }
        public static Indices Input(string name, params string[] dims) => new(Expr.Input(name, ValueKind.Indices, dims));
        public static Indices Input(InputAttr attr) => new(Expr.Input(attr, ValueKind.Indices));

        /// <summary>Column <paramref name="k"/>: the heads (0), relations (1) or tails (2) of triples, <c>[E]</c>.</summary>
        [DslOp(OpCode.Column)] public Labels Column([Constant] int k) => new(Expr.Of(OpCode.Column, ValueKind.Labels, new IndexAttr(k), Expr));
    }

    /// <summary>Unnormalised class scores, classes on the last axis: <c>[N, C]</c>.</summary>
    public sealed class Logits : FloatValue<Logits>, IRows
    {
        internal Logits(Expr expr) : base(expr) { }
        internal override Logits Wrap(Expr expr) => new(expr);
        public static Logits Input(string name, params string[] dims) => new(Expr.Input(name, ValueKind.Logits, dims));
        public static Logits Input(InputAttr attr) => new(Expr.Input(attr, ValueKind.Logits));
    }

    /// <summary>Probabilities, classes on the last axis: <c>[N, C]</c> (or, declared with <c>[Dims]</c>, any
    /// shape: <c>[B, C, H, W]</c> segmentation maps).</summary>
    public sealed class Probs : FloatValue<Probs>, IRows
    {
        internal Probs(Expr expr) : base(expr) { }
        internal override Probs Wrap(Expr expr) => new(expr);
        public static Probs Input(string name, params string[] dims) => new(Expr.Input(name, ValueKind.Probs, dims));
        public static Probs Input(InputAttr attr) => new(Expr.Input(attr, ValueKind.Probs));
    }

    /// <summary>Log-probabilities, classes on the last axis: <c>[N, C]</c>.</summary>
    public sealed class LogProbs : FloatValue<LogProbs>, IRows
    {
        internal LogProbs(Expr expr) : base(expr) { }
        internal override LogProbs Wrap(Expr expr) => new(expr);
        public static LogProbs Input(string name, params string[] dims) => new(Expr.Input(name, ValueKind.LogProbs, dims));
        public static LogProbs Input(InputAttr attr) => new(Expr.Input(attr, ValueKind.LogProbs));
    }

    /// <summary>Feature vectors, features on the last axis: <c>[N, D]</c> (a table of its own length with
    /// <c>[Dims("C", "D")]</c>: class weights, proxies, prototypes, entity embeddings, a memory queue).</summary>
    public sealed class Embeddings : FloatValue<Embeddings>, IRows
    {
        internal Embeddings(Expr expr) : base(expr) { }
        internal override Embeddings Wrap(Expr expr) => new(expr);
        public static Embeddings Input(string name, params string[] dims) => new(Expr.Input(name, ValueKind.Embeddings, dims));
        public static Embeddings Input(InputAttr attr) => new(Expr.Input(attr, ValueKind.Embeddings));
    }

    /// <summary>Token features of each sample, features on the last axis: <c>[N, T, D]</c>. A pairwise relation of
    /// tokens relates the tokens of each sample: <c>[N, T, T]</c>.</summary>
    public sealed class Tokens : FloatValue<Tokens>, IRows
    {
        internal Tokens(Expr expr) : base(expr) { }
        internal override Tokens Wrap(Expr expr) => new(expr);
        public static Tokens Input(string name, params string[] dims) => new(Expr.Input(name, ValueKind.Tokens, dims));
        public static Tokens Input(InputAttr attr) => new(Expr.Input(attr, ValueKind.Tokens));
    }

    /// <summary>Boxes <c>(cx, cy, w, h)</c>, one per row: <c>[N, 4]</c> (DETR's box format). Compare them with
    /// <c>Pairwise(a, b, Similarity.GeneralizedIoU)</c> or <c>Distance.L1</c>; <c>Compute</c> rejects a negative or
    /// non-finite width or height, naming the input.</summary>
    public sealed class Boxes : FloatValue<Boxes>, IRows
    {
        internal Boxes(Expr expr) : base(expr) { }
        internal override Boxes Wrap(Expr expr) => new(expr);
        public static Boxes Input(string name, params string[] dims) => new(Expr.Input(name, ValueKind.Boxes, dims));
        public static Boxes Input(InputAttr attr) => new(Expr.Input(attr, ValueKind.Boxes));
    }

    /// <summary>A boolean per element: comparisons, the rows of a graph that have a pair, valid labels.
    /// Combine with <c>&amp;</c>, <c>|</c>, <c>!</c>; select with <see cref="Dsl.Where{T}"/>.</summary>
    public sealed class Condition : DslValue
    {
        internal Condition(Expr expr) : base(expr) { }

        public static Condition operator &(Condition a, Condition b) => new(Expr.Of(OpCode.And, ValueKind.Condition, a.Expr, b.Expr));
        public static Condition operator |(Condition a, Condition b) => new(Expr.Of(OpCode.Or, ValueKind.Condition, a.Expr, b.Expr));
        public static Condition operator !(Condition a) => new(Expr.Of(OpCode.Not, ValueKind.Condition, a.Expr));

        /// <summary>How many entries hold (no gradient).</summary>
        [DslOp(OpCode.CountTrue)] public Real Count() => new(Expr.Of(OpCode.CountTrue, ValueKind.Real, Expr));

        /// <summary>Whether any entry holds, a 0-d condition.</summary>
        [DslOp(OpCode.AnyTrue)] public Condition Any() => new(Expr.Of(OpCode.AnyTrue, ValueKind.Condition, Expr));

        /// <summary>1 where the condition holds, 0 elsewhere, as float weights.</summary>
        [DslOp(OpCode.Indicator)] public Vector AsWeights() => new(Expr.Of(OpCode.Indicator, ValueKind.Vector, Expr));
    }

    /// <summary>An optimal one-to-one assignment of the rows of a cost relation to its columns (Hungarian
    /// matching; see <see cref="Dsl.Assign"/>). Not differentiated: losses then read values at the matched pairs.</summary>
    public sealed class Matching : DslValue
    {
        internal Matching(Expr expr) : base(expr) { }

        /// <summary>The row of every matched pair, <c>[M]</c>, in increasing row order.</summary>
        [DslOp(OpCode.MatchedRows)] public Labels Rows() => new(Expr.Of(OpCode.MatchedRows, ValueKind.Labels, Expr));

        /// <summary>The column of every matched pair, <c>[M]</c>, in the order of <see cref="Rows"/>.</summary>
        [DslOp(OpCode.MatchedColumns)] public Labels Columns() => new(Expr.Of(OpCode.MatchedColumns, ValueKind.Labels, Expr));

        /// <summary>For every row, the label of its matched column, or <paramref name="unmatched"/> (DETR's
        /// "no object" class) when it has none: <c>[R]</c>.</summary>
        [DslOp(OpCode.MatchedLabels)]
        public Labels Labels(LossDsl.Labels columnLabels, double unmatched) =>
            new(Expr.Of(OpCode.MatchedLabels, ValueKind.Labels, Expr, columnLabels.Expr, Ir.Expr.Const(unmatched)));

        /// <summary>As <see cref="Labels(LossDsl.Labels, double)"/>, the unmatched label computed from the inputs
        /// (<c>logits.Count("K")</c>-style sizes: the last class of the logits).</summary>
        [DslOp(OpCode.MatchedLabels)]
        public Labels Labels(LossDsl.Labels columnLabels, Real unmatched) =>
            new(Expr.Of(OpCode.MatchedLabels, ValueKind.Labels, Expr, columnLabels.Expr, unmatched.Expr));
    }
}
