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
    }

    /// <summary>Rows of per-sample features, <c>[N, F]</c>: logits, probabilities, embeddings.</summary>
    public interface IRows
    {
        Expr Expr { get; }
    }

    /// <summary>A floating-point value with element-wise arithmetic. Arithmetic keeps the kind:
    /// <c>logits / T</c> is logits.</summary>
    public abstract class FloatValue<TSelf> : DslValue where TSelf : FloatValue<TSelf>
    {
        private protected FloatValue(Expr expr) : base(expr) { }

        internal abstract TSelf Wrap(Expr expr);

        internal TSelf Apply(OpCode op, params Expr[] args) => Wrap(Expr.Of(op, Expr.Kind, args));

        private static Expr Num(double value) => Expr.Const(value);

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
    }
}
