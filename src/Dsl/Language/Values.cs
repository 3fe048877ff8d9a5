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
    }

    /// <summary>One value per sample, <c>[N]</c>: row reductions, per-sample log-probabilities, weights.</summary>
    public sealed class Vector : FloatValue<Vector>
    {
        internal Vector(Expr expr) : base(expr) { }
        internal override Vector Wrap(Expr expr) => new(expr);
        public static Vector Input(string name) => new(Expr.Input(name, ValueKind.Vector));

        /// <summary>The mean over samples.</summary>
        [DslOp(OpCode.Mean)] public Real Mean() => new(Expr.Of(OpCode.Mean, ValueKind.Real, Expr));

        /// <summary>The sum over samples.</summary>
        [DslOp(OpCode.Sum)] public Real Sum() => new(Expr.Of(OpCode.Sum, ValueKind.Real, Expr));

        /// <summary>The mean over the entries that are strictly positive; 0 when none is
        /// (pytorch-metric-learning's AvgNonZeroReducer).</summary>
        [DslOp(OpCode.MeanNonZero)] public Real MeanNonZero() => new(Expr.Of(OpCode.MeanNonZero, ValueKind.Real, Expr));
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
