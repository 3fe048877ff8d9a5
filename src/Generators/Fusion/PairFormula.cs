using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using LossDsl.Ir;

namespace LossDsl.Generators.Fusion
{
    /// <summary>How often a symbol's value changes inside a fused kernel: once per call (a scale),
    /// once per row i (the output out_i, the incoming gradient g_i), or per pair (i, j).</summary>
    internal enum FormulaScope { Call, Row, Pair }

    /// <summary>A scalar formula over one pair (i, j) of a fused reduction: the per-pair function
    /// <c>f_ij</c>, its derivatives, and the backward weights, in the spirit of KeOps' formulas. It
    /// differentiates and simplifies itself symbolically and prints as C# (for kernels) and as
    /// mathematical notation (for their comments). Values are records, so equal formulas are equal.</summary>
    internal abstract record PairFormula
    {
        public static readonly PairFormula Zero = new Constant(0);
        public static readonly PairFormula One = new Constant(1);

        public static PairFormula Const(double value) => new Constant(value);
        public static PairFormula Exp(PairFormula a) => new Unary(UnaryOp.Exp, a);
        public static PairFormula Log(PairFormula a) => new Unary(UnaryOp.Log, a);
        public static PairFormula Sqrt(PairFormula a) => new Unary(UnaryOp.Sqrt, a);
        public static PairFormula Apply(UnaryOp op, PairFormula a) => new Unary(op, a);

        public static PairFormula operator +(PairFormula a, PairFormula b) => new Binary(BinaryOp.Add, a, b);
        public static PairFormula operator -(PairFormula a, PairFormula b) => new Binary(BinaryOp.Sub, a, b);
        public static PairFormula operator *(PairFormula a, PairFormula b) => new Binary(BinaryOp.Mul, a, b);
        public static PairFormula operator /(PairFormula a, PairFormula b) => new Binary(BinaryOp.Div, a, b);
        public static PairFormula operator -(PairFormula a) => new Unary(UnaryOp.Neg, a);

        /// <summary>∂this/∂<paramref name="wrt"/>, simplified. <paramref name="wrt"/> is an atom (a
        /// <see cref="Symbol"/> or a <see cref="PairLeaf"/>); every other atom is held constant.</summary>
        public PairFormula Derivative(PairFormula wrt)
        {
            if (wrt is not (Symbol or PairLeaf)) throw new ArgumentException("Differentiate with respect to a symbol or a pair leaf.", nameof(wrt));
            return Differentiate(wrt).Simplify();
        }

        protected abstract PairFormula Differentiate(PairFormula wrt);

        /// <summary>The formula with constants folded and the identities of 0 and 1 applied.</summary>
        public abstract PairFormula Simplify();

        /// <summary>The formula as a C# expression over the locals the kernel declares.</summary>
        public string ToCSharp() => Print(csharp: true, parentPrecedence: 0, rightOperand: false);

        /// <summary>The formula in mathematical notation, for comments.</summary>
        public string ToMath() => Print(csharp: false, parentPrecedence: 0, rightOperand: false);

        internal abstract string Print(bool csharp, int parentPrecedence, bool rightOperand);

        /// <summary>The atoms the formula reads.</summary>
        public abstract IEnumerable<PairFormula> Atoms();

        /// <summary>The formula's value, given each atom's (for tests and constant checks).</summary>
        public abstract double Evaluate(Func<PairFormula, double> atom);

        /// <summary>The formula with each atom replaced by <paramref name="atom"/>'s answer (or kept, on null).</summary>
        public abstract PairFormula Substitute(Func<PairFormula, PairFormula?> atom);

        /// <summary>Whether the value changes from pair to pair (else it can be hoisted out of the j loop).</summary>
        public bool DependsOnPair => Atoms().Any(a => a is PairLeaf || a is Symbol { Scope: FormulaScope.Pair });

        /// <summary>Whether the value changes from row to row (else it can be hoisted out of the i loop too).</summary>
        public bool DependsOnRow => DependsOnPair || Atoms().Any(a => a is Symbol { Scope: FormulaScope.Row });

        public bool IsZero => this is Constant { Value: 0 };
        public bool IsOne => this is Constant { Value: 1 };

        public sealed override string ToString() => ToMath();

        protected static string Parenthesize(string text, bool wrap) => wrap ? "(" + text + ")" : text;
    }

    /// <summary>A number.</summary>
    internal sealed record Constant(double Value) : PairFormula
    {
        protected override PairFormula Differentiate(PairFormula wrt) => Zero;
        public override PairFormula Simplify() => this;
        public override IEnumerable<PairFormula> Atoms() => Enumerable.Empty<PairFormula>();
        public override double Evaluate(Func<PairFormula, double> atom) => Value;
        public override PairFormula Substitute(Func<PairFormula, PairFormula?> atom) => this;

        internal override string Print(bool csharp, int parentPrecedence, bool rightOperand)
        {
            string text;
            if (double.IsPositiveInfinity(Value)) text = csharp ? "double.PositiveInfinity" : "∞";
            else if (double.IsNegativeInfinity(Value)) text = csharp ? "double.NegativeInfinity" : "−∞";
            else if (double.IsNaN(Value)) text = csharp ? "double.NaN" : "NaN";
            else
            {
                text = Value.ToString("R", CultureInfo.InvariantCulture);
                if (csharp && text.IndexOfAny(new[] { '.', 'E', 'e' }) < 0) text += ".0";
                if (!csharp) text = text.Replace("-", "−");
            }
            // A negative literal reads as a unary minus.
            return Parenthesize(text, Value < 0 && (parentPrecedence >= 3 || parentPrecedence > 0 && rightOperand));
        }
    }

    /// <summary>A named scalar the kernel holds in a local: the scale s (per call), out_i and g_i (per
    /// row), f_ij and p_ij (per pair, once computed), or a hoisted coefficient.</summary>
    /// <param name="CSharp">The local's name in the kernel.</param>
    /// <param name="Math">Its notation in comments.</param>
    internal sealed record Symbol(string CSharp, string Math, FormulaScope Scope) : PairFormula
    {
        protected override PairFormula Differentiate(PairFormula wrt) => Equals(wrt) ? One : Zero;
        public override PairFormula Simplify() => this;
        public override IEnumerable<PairFormula> Atoms() { yield return this; }
        public override double Evaluate(Func<PairFormula, double> atom) => atom(this);
        public override PairFormula Substitute(Func<PairFormula, PairFormula?> atom) => atom(this) ?? this;
        internal override string Print(bool csharp, int parentPrecedence, bool rightOperand) => csharp ? CSharp : Math;
    }

    /// <summary>A vector that a leaf's partial derivative is a multiple of.</summary>
    internal enum RowOperand { X, Y }

    /// <summary>One term of the partial derivative of a leaf with respect to a row vector: the leaf's
    /// gradient with respect to x_i (or y_j) is Σ Coefficient · Operand over its terms.</summary>
    internal sealed record LeafPartial(PairFormula Coefficient, RowOperand Operand);

    /// <summary>A per-pair quantity a kernel computes from the rows x_i and y_j, a tile of rows at a time,
    /// with a <c>LossDsl.Runtime.Fused.PairMath</c> primitive, into a per-tile buffer. Its partials with
    /// respect to x_i and y_j are linear in x_i and y_j, which is all a kernel needs to accumulate the row
    /// gradients. A new metric adds a leaf here (and a primitive in PairMath); the derivation code stays
    /// as it is. Leaves are symmetric in x_i and y_j, so one primitive serves tiles of either operand.</summary>
    /// <param name="Metric">The IR's metric name this leaf is the core of.</param>
    /// <param name="Buffer">The per-tile buffer the kernel stores it in; pair r of the tile reads <c>Buffer[r]</c>.</param>
    /// <param name="Primitive">The PairMath method filling the buffer for a tile of rows against one row.</param>
    /// <param name="Math">Its notation.</param>
    internal sealed record PairLeaf(string Metric, string Buffer, string Primitive, string Math,
        EquatableArray<LeafPartial> PartialX, EquatableArray<LeafPartial> PartialY) : PairFormula
    {
        /// <summary><c>⟨x_i, y_j⟩</c>: ∂/∂x_i = y_j, ∂/∂y_j = x_i.</summary>
        public static readonly PairLeaf Dot = new("Dot", "dot", "DotRows", "⟨x_i, y_j⟩",
            new[] { new LeafPartial(One, RowOperand.Y) }.ToEquatableArray(),
            new[] { new LeafPartial(One, RowOperand.X) }.ToEquatableArray());

        /// <summary><c>‖x_i − y_j‖²</c>: ∂/∂x_i = 2 x_i − 2 y_j, ∂/∂y_j = 2 y_j − 2 x_i.</summary>
        public static readonly PairLeaf SquaredDistance = new("SqEuclidean", "sqDist", "SquaredDistanceRows", "‖x_i − y_j‖²",
            new[] { new LeafPartial(Const(2), RowOperand.X), new LeafPartial(Const(-2), RowOperand.Y) }.ToEquatableArray(),
            new[] { new LeafPartial(Const(-2), RowOperand.X), new LeafPartial(Const(2), RowOperand.Y) }.ToEquatableArray());

        /// <summary>The leaf of a metric, or null when no kernel supports it yet.</summary>
        public static PairLeaf? ForMetric(string metric) => metric switch
        {
            "Dot" => Dot,
            "SqEuclidean" => SquaredDistance,
            _ => null,
        };

        /// <summary>The partial with respect to x_i (<paramref name="operand"/> X) or y_j (Y).</summary>
        public EquatableArray<LeafPartial> PartialWrt(RowOperand operand) => operand == RowOperand.X ? PartialX : PartialY;

        protected override PairFormula Differentiate(PairFormula wrt) => Equals(wrt) ? One : Zero;
        public override PairFormula Simplify() => this;
        public override IEnumerable<PairFormula> Atoms() { yield return this; }
        public override double Evaluate(Func<PairFormula, double> atom) => atom(this);
        public override PairFormula Substitute(Func<PairFormula, PairFormula?> atom) => atom(this) ?? this;
        internal override string Print(bool csharp, int parentPrecedence, bool rightOperand) => csharp ? Buffer + "[r]" : Math;
    }

    /// <summary>Element-wise functions. Softplus, Sigmoid and LogSigmoid print as calls to the stable forms in
    /// <c>LossDsl.Runtime.Fused.PairMath</c> (softplus as −logsigmoid(−a), as <c>Ops</c> computes it); Step and
    /// Sign are the derivatives of Relu and Abs (0 at 0, as TorchSharp's gradients are).</summary>
    internal enum UnaryOp { Neg, Exp, Log, Sqrt, Softplus, Sigmoid, LogSigmoid, Relu, Square, Abs, Step, Sign }

    internal sealed record Unary(UnaryOp Op, PairFormula Arg) : PairFormula
    {
        protected override PairFormula Differentiate(PairFormula wrt)
        {
            var da = Arg.Derivative(wrt);
            return Op switch
            {
                UnaryOp.Neg => -da,
                UnaryOp.Exp => this * da,                 // (e^a)' = e^a · a'
                UnaryOp.Log => da / Arg,                  // (log a)' = a' / a
                UnaryOp.Sqrt => da / (Const(2) * this),   // (√a)' = a' / (2 √a)
                UnaryOp.Softplus => Apply(UnaryOp.Sigmoid, Arg) * da,               // softplus' = σ
                UnaryOp.Sigmoid => this * (One - this) * da,                        // σ' = σ (1 − σ)
                UnaryOp.LogSigmoid => Apply(UnaryOp.Sigmoid, -Arg) * da,            // (log σ)' = σ(−a)
                UnaryOp.Relu => Apply(UnaryOp.Step, Arg) * da,                      // relu' = [a > 0]
                UnaryOp.Square => Const(2) * Arg * da,                              // (a²)' = 2a
                UnaryOp.Abs => Apply(UnaryOp.Sign, Arg) * da,                       // |a|' = sign a
                _ => Zero,                                                          // step, sign: piecewise constant
            };
        }

        public override PairFormula Simplify()
        {
            var a = Arg.Simplify();
            if (a is Constant c)
            {
                var v = Compute(Op, c.Value);
                // Fold only what stays exact in print: negation always, the others at their fixed points.
                if (Op == UnaryOp.Neg || v == System.Math.Round(v)) return Const(v);
            }
            if (Op == UnaryOp.Neg && a is Unary { Op: UnaryOp.Neg } inner) return inner.Arg;  // −(−a) = a
            if (Op == UnaryOp.Neg && a is Binary { Op: BinaryOp.Mul, Left: Constant c0 } m)       // −(c · a) = (−c) · a
                return new Binary(BinaryOp.Mul, Const(-c0.Value), m.Right).Simplify();
            if (Op == UnaryOp.Exp && a is Unary { Op: UnaryOp.Log } log) return log.Arg;      // exp(log a) = a
            if (Op == UnaryOp.Log && a is Unary { Op: UnaryOp.Exp } exp) return exp.Arg;      // log(exp a) = a
            return a == Arg ? this : new Unary(Op, a);
        }

        public override IEnumerable<PairFormula> Atoms() => Arg.Atoms();
        public override PairFormula Substitute(Func<PairFormula, PairFormula?> atom) => new Unary(Op, Arg.Substitute(atom));

        public override double Evaluate(Func<PairFormula, double> atom)
        {
            return Compute(Op, Arg.Evaluate(atom));
        }

        /// <summary>The function's value (the same stable forms the runtime's PairMath uses).</summary>
        internal static double Compute(UnaryOp op, double a) => op switch
        {
            UnaryOp.Neg => -a,
            UnaryOp.Exp => System.Math.Exp(a),
            UnaryOp.Log => System.Math.Log(a),
            UnaryOp.Sqrt => System.Math.Sqrt(a),
            UnaryOp.Softplus => -LogSigmoid(-a),
            UnaryOp.Sigmoid => a >= 0 ? 1.0 / (1.0 + System.Math.Exp(-a)) : System.Math.Exp(a) / (1.0 + System.Math.Exp(a)),
            UnaryOp.LogSigmoid => LogSigmoid(a),
            UnaryOp.Relu => a > 0 ? a : 0.0,
            UnaryOp.Square => a * a,
            UnaryOp.Abs => System.Math.Abs(a),
            UnaryOp.Step => a > 0 ? 1.0 : 0.0,
            _ => a > 0 ? 1.0 : a < 0 ? -1.0 : 0.0,
        };

        private static double LogSigmoid(double a) => System.Math.Min(a, 0.0) - System.Math.Log(1.0 + System.Math.Exp(-System.Math.Abs(a)));

        internal override string Print(bool csharp, int parentPrecedence, bool rightOperand)
        {
            if (Op == UnaryOp.Neg)
                return Parenthesize((csharp ? "-" : "−") + Arg.Print(csharp, 3, false), parentPrecedence >= 3 || parentPrecedence > 0 && rightOperand);
            if (Op is UnaryOp.Exp or UnaryOp.Log or UnaryOp.Sqrt)
            {
                var name = Op switch { UnaryOp.Exp => "Exp", UnaryOp.Log => "Log", _ => "Sqrt" };
                return csharp
                    ? $"global::System.Math.{name}({Arg.Print(true, 0, false)})"
                    : Op == UnaryOp.Sqrt ? $"√({Arg.Print(false, 0, false)})" : $"{name.ToLowerInvariant()}({Arg.Print(false, 0, false)})";
            }
            if (csharp) return $"global::LossDsl.Runtime.Fused.PairMath.{Op}({Arg.Print(true, 0, false)})";
            var inner = Arg.Print(false, 0, false);
            return Op switch
            {
                UnaryOp.Softplus => $"softplus({inner})",
                UnaryOp.Sigmoid => $"σ({inner})",
                UnaryOp.LogSigmoid => $"log σ({inner})",
                UnaryOp.Relu => $"relu({inner})",
                UnaryOp.Square => $"({inner})²",
                UnaryOp.Abs => $"|{inner}|",
                UnaryOp.Step => $"[{inner} > 0]",
                _ => $"sign({inner})",
            };
        }
    }

    internal enum BinaryOp { Add, Sub, Mul, Div }

    internal sealed record Binary(BinaryOp Op, PairFormula Left, PairFormula Right) : PairFormula
    {
        protected override PairFormula Differentiate(PairFormula wrt)
        {
            var dl = Left.Derivative(wrt);
            var dr = Right.Derivative(wrt);
            return Op switch
            {
                BinaryOp.Add => dl + dr,
                BinaryOp.Sub => dl - dr,
                BinaryOp.Mul => dl * Right + Left * dr,                          // product rule
                _ => dl / Right - Left * dr / (Right * Right),                   // quotient rule
            };
        }

        public override PairFormula Simplify()
        {
            var l = Left.Simplify();
            var r = Right.Simplify();
            if (l is Constant a && r is Constant b)
            {
                var v = Op switch
                {
                    BinaryOp.Add => a.Value + b.Value,
                    BinaryOp.Sub => a.Value - b.Value,
                    BinaryOp.Mul => a.Value * b.Value,
                    _ => a.Value / b.Value,
                };
                // Keep a quotient that does not divide evenly (1 / 3 reads better than 0.333…).
                if (Op != BinaryOp.Div || v * b.Value == a.Value && v == System.Math.Round(v)) return Const(v);
            }
            switch (Op)
            {
                case BinaryOp.Add:
                    if (l.IsZero) return r;
                    if (r.IsZero) return l;
                    if (r is Unary { Op: UnaryOp.Neg } nr) return new Binary(BinaryOp.Sub, l, nr.Arg).Simplify();   // a + (−b) = a − b
                    break;
                case BinaryOp.Sub:
                    if (r.IsZero) return l;
                    if (l.IsZero) return new Unary(UnaryOp.Neg, r).Simplify();
                    if (l == r) return Zero;
                    break;
                case BinaryOp.Mul:
                    if (l.IsZero || r.IsZero) return Zero;
                    if (l.IsOne) return r;
                    if (r.IsOne) return l;
                    if (l is Constant { Value: -1 }) return new Unary(UnaryOp.Neg, r).Simplify();
                    if (r is Constant { Value: -1 }) return new Unary(UnaryOp.Neg, l).Simplify();
                    // Numbers first, and pulled together: (c · a) · d = (c·d) · a.
                    if (r is Constant && l is not Constant) return new Binary(BinaryOp.Mul, r, l).Simplify();
                    // Signs out front: c · (−a) = (−c) · a, (−a) · (−b) = a · b, (−a) · b = −(a · b).
                    if (l is Constant nc && r is Unary { Op: UnaryOp.Neg } rn0) return new Binary(BinaryOp.Mul, Const(-nc.Value), rn0.Arg).Simplify();
                    if (l is Unary { Op: UnaryOp.Neg } ln && r is Unary { Op: UnaryOp.Neg } rn1) return new Binary(BinaryOp.Mul, ln.Arg, rn1.Arg).Simplify();
                    if (l is Unary { Op: UnaryOp.Neg } ln2) return new Unary(UnaryOp.Neg, new Binary(BinaryOp.Mul, ln2.Arg, r)).Simplify();
                    if (r is Unary { Op: UnaryOp.Neg } rn2 && l is not Constant) return new Unary(UnaryOp.Neg, new Binary(BinaryOp.Mul, l, rn2.Arg)).Simplify();
                    if (l is Constant lc && r is Binary { Op: BinaryOp.Mul, Left: Constant rc } rm)
                        return new Binary(BinaryOp.Mul, Const(lc.Value * rc.Value), rm.Right).Simplify();
                    // a · (1 / b) = a / b, (1 / b) · a = a / b
                    if (r is Binary { Op: BinaryOp.Div, Left: Constant { Value: 1 } } rinv) return new Binary(BinaryOp.Div, l, rinv.Right).Simplify();
                    if (l is Binary { Op: BinaryOp.Div, Left: Constant { Value: 1 } } linv) return new Binary(BinaryOp.Div, r, linv.Right).Simplify();
                    // exp(a) · exp(b) = exp(a + b)
                    if (l is Unary { Op: UnaryOp.Exp } el && r is Unary { Op: UnaryOp.Exp } er)
                        return Exp(el.Arg + er.Arg).Simplify();
                    break;
                case BinaryOp.Div:
                    if (l.IsZero) return Zero;
                    if (r.IsOne) return l;
                    if (l == r) return One;
                    // exp(a) / exp(b) = exp(a − b): the stable form of a softmax weight.
                    if (l is Unary { Op: UnaryOp.Exp } nl && r is Unary { Op: UnaryOp.Exp } dr)
                        return Exp(nl.Arg - dr.Arg).Simplify();
                    // (a · b) / b = a, (b · a) / b = a
                    if (l is Binary { Op: BinaryOp.Mul } m && (m.Right == r || m.Left == r)) return m.Right == r ? m.Left : m.Right;
                    break;
            }
            return l == Left && r == Right ? this : new Binary(Op, l, r);
        }

        public override IEnumerable<PairFormula> Atoms() => Left.Atoms().Concat(Right.Atoms());
        public override PairFormula Substitute(Func<PairFormula, PairFormula?> atom) => new Binary(Op, Left.Substitute(atom), Right.Substitute(atom));

        public override double Evaluate(Func<PairFormula, double> atom)
        {
            double l = Left.Evaluate(atom), r = Right.Evaluate(atom);
            return Op switch
            {
                BinaryOp.Add => l + r,
                BinaryOp.Sub => l - r,
                BinaryOp.Mul => l * r,
                _ => l / r,
            };
        }

        internal override string Print(bool csharp, int parentPrecedence, bool rightOperand)
        {
            var precedence = Op is BinaryOp.Add or BinaryOp.Sub ? 1 : 2;
            // The right operand of − and / binds tighter than its operator's precedence.
            var rightPrecedence = Op is BinaryOp.Sub or BinaryOp.Div ? precedence + 1 : precedence;
            var symbol = Op switch
            {
                BinaryOp.Add => "+",
                BinaryOp.Sub => csharp ? "-" : "−",
                BinaryOp.Mul => csharp ? "*" : "·",
                _ => "/",
            };
            var text = $"{Left.Print(csharp, precedence, false)} {symbol} {Right.Print(csharp, rightPrecedence, true)}";
            return Parenthesize(text, precedence < parentPrecedence);
        }
    }
}
