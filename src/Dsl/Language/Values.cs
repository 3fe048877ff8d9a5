using LossDsl.Ir;

namespace LossDsl
{
    /// <summary>A 0-d tensor: what a term returns.</summary>
    public sealed class Scalar : FloatValue<Scalar>
    {
        internal Scalar(Expr expr) : base(expr) { }
        internal override Scalar Wrap(Expr expr) => new(expr);

        /// <summary>A symbolic input of this kind (for tracing a term at run time).</summary>
        public static Scalar Input(string name) => new(Expr.Input(name, ValueKind.Scalar));
    }

    /// <summary>One value per sample, <c>[N]</c>: row reductions, per-sample log-probabilities, weights.</summary>
    public sealed class Vector : FloatValue<Vector>
    {
        internal Vector(Expr expr) : base(expr) { }
        internal override Vector Wrap(Expr expr) => new(expr);
        public static Vector Input(string name) => new(Expr.Input(name, ValueKind.Vector));

        /// <summary>The mean over samples.</summary>
        [DslOp(OpCode.Mean)] public Scalar Mean() => new(Expr.Of(OpCode.Mean, ValueKind.Scalar, Expr));

        /// <summary>The sum over samples.</summary>
        [DslOp(OpCode.Sum)] public Scalar Sum() => new(Expr.Of(OpCode.Sum, ValueKind.Scalar, Expr));

        /// <summary>The mean over the entries that are strictly positive; 0 when none is
        /// (pytorch-metric-learning's AvgNonZeroReducer).</summary>
        [DslOp(OpCode.MeanNonZero)] public Scalar MeanNonZero() => new(Expr.Of(OpCode.MeanNonZero, ValueKind.Scalar, Expr));
    }

    /// <summary>Integer class labels, <c>[N]</c> (int64 or int32).</summary>
    public sealed class Labels : DslValue
    {
        internal Labels(Expr expr) : base(expr) { }
        public static Labels Input(string name) => new(Expr.Input(name, ValueKind.Labels));
    }

    /// <summary>Unnormalised class scores, <c>[N, C]</c>.</summary>
    public sealed class Logits : FloatValue<Logits>, IRows
    {
        internal Logits(Expr expr) : base(expr) { }
        internal override Logits Wrap(Expr expr) => new(expr);
        public static Logits Input(string name) => new(Expr.Input(name, ValueKind.Logits));
    }

    /// <summary>Row-wise probabilities, <c>[N, C]</c>.</summary>
    public sealed class Probs : FloatValue<Probs>, IRows
    {
        internal Probs(Expr expr) : base(expr) { }
        internal override Probs Wrap(Expr expr) => new(expr);
        public static Probs Input(string name) => new(Expr.Input(name, ValueKind.Probs));
    }

    /// <summary>Row-wise log-probabilities, <c>[N, C]</c>.</summary>
    public sealed class LogProbs : FloatValue<LogProbs>, IRows
    {
        internal LogProbs(Expr expr) : base(expr) { }
        internal override LogProbs Wrap(Expr expr) => new(expr);
        public static LogProbs Input(string name) => new(Expr.Input(name, ValueKind.LogProbs));
    }

    /// <summary>Feature vectors, <c>[N, D]</c>.</summary>
    public sealed class Embeddings : FloatValue<Embeddings>, IRows
    {
        internal Embeddings(Expr expr) : base(expr) { }
        internal override Embeddings Wrap(Expr expr) => new(expr);
        public static Embeddings Input(string name) => new(Expr.Input(name, ValueKind.Embeddings));
    }
}
