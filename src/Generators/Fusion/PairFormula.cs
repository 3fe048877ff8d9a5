using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using LossDsl.Ir;

namespace LossDsl.Generators.Fusion
{
    /// <summary>How often a symbol's value changes inside a fused reduction: once per call (a host number such as
    /// a temperature), once per row i (a row value v_i), or per pair (i, j) (the relation s_ij).</summary>
    internal enum FormulaScope { Call, Row, Pair }

    /// <summary>A scalar formula over one pair (i, j) of a fused reduction: the per-pair function <c>f_ij</c> and
    /// its partial derivatives, in the spirit of KeOps' formulas. It differentiates and simplifies itself
    /// symbolically and prints as engine code (<see cref="ToEngine"/>: calls of <c>IPairMath</c>'s <c>M.Exp</c>,
    /// <c>M.Mul</c>, ... that one generated struct runs in the SIMD CPU engine and in ILGPU kernels) and as
    /// mathematical notation (<see cref="ToMath"/>, for comments). Values are records, so equal formulas are equal.</summary>
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

        public static PairFormula Min(PairFormula a, PairFormula b) => new Binary(BinaryOp.Min, a, b);
        public static PairFormula Max(PairFormula a, PairFormula b) => new Binary(BinaryOp.Max, a, b);

        /// <summary>∂this/∂<paramref name="wrt"/>, simplified. <paramref name="wrt"/> is a <see cref="Symbol"/>;
        /// every other atom is held constant.</summary>
        public PairFormula Derivative(PairFormula wrt)
        {
            if (wrt is not Symbol) throw new ArgumentException("Differentiate with respect to a symbol.", nameof(wrt));
            return Differentiate(wrt).Simplify();
        }

        protected abstract PairFormula Differentiate(PairFormula wrt);

        /// <summary>The formula with constants folded and the identities of 0 and 1 applied.</summary>
        public abstract PairFormula Simplify();

        /// <summary>The formula as engine code: <c>M.Mul(p.S, M.Const(Temperature))</c>, over the generic math
        /// <c>M : IPairMath&lt;T&gt;</c>; <paramref name="name"/> may name a subformula (a local the struct declares).</summary>
        public string ToEngine(Func<PairFormula, string?>? name = null) => name?.Invoke(this) ?? PrintEngine(name);

        internal abstract string PrintEngine(Func<PairFormula, string?>? name);

        /// <summary>The formula in mathematical notation, for comments.</summary>
        public string ToMath() => PrintMath(parentPrecedence: 0, rightOperand: false);

        internal abstract string PrintMath(int parentPrecedence, bool rightOperand);

        /// <summary>The atoms the formula reads.</summary>
        public abstract IEnumerable<PairFormula> Atoms();

        /// <summary>The formula's value, given each atom's (for tests and constant checks).</summary>
        public abstract double Evaluate(Func<PairFormula, double> atom);

        /// <summary>The formula with each atom replaced by <paramref name="atom"/>'s answer (or kept, on null).</summary>
        public abstract PairFormula Substitute(Func<PairFormula, PairFormula?> atom);

        /// <summary>Whether the value changes from pair to pair (else it can be hoisted out of the j loop).</summary>
        public bool DependsOnPair => Atoms().Any(a => a is Symbol { Scope: FormulaScope.Pair });

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

        internal override string PrintEngine(Func<PairFormula, string?>? name)
        {
            if (double.IsPositiveInfinity(Value)) return "M.Const(double.PositiveInfinity)";
            if (double.IsNegativeInfinity(Value)) return "M.Const(double.NegativeInfinity)";
            if (double.IsNaN(Value)) return "M.Const(double.NaN)";
            var text = Value.ToString("R", CultureInfo.InvariantCulture);
            if (text.IndexOfAny(new[] { '.', 'E', 'e' }) < 0) text += ".0";
            return $"M.Const({text})";
        }

        internal override string PrintMath(int parentPrecedence, bool rightOperand)
        {
            string text;
            if (double.IsPositiveInfinity(Value)) text = "∞";
            else if (double.IsNegativeInfinity(Value)) text = "−∞";
            else if (double.IsNaN(Value)) text = "NaN";
            else text = Value.ToString("R", CultureInfo.InvariantCulture).Replace("-", "−");
            // A negative literal reads as a unary minus.
            return Parenthesize(text, Value < 0 && (parentPrecedence >= 3 || parentPrecedence > 0 && rightOperand));
        }
    }

    /// <summary>A named scalar a formula reads: a host number (per call: a field of the generated struct), a row
    /// or column value, or the pair's relation values (per pair: <c>p.S</c>, <c>p.S2</c>).</summary>
    /// <param name="CSharp">How engine code reads it: <c>p.S</c>, <c>p.R0</c>, or a field name (a per-call number,
    /// printed as <c>M.Const(field)</c>).</param>
    /// <param name="Math">Its notation in comments.</param>
    internal sealed record Symbol(string CSharp, string Math, FormulaScope Scope) : PairFormula
    {
        protected override PairFormula Differentiate(PairFormula wrt) => Equals(wrt) ? One : Zero;
        public override PairFormula Simplify() => this;
        public override IEnumerable<PairFormula> Atoms() { yield return this; }
        public override double Evaluate(Func<PairFormula, double> atom) => atom(this);
        public override PairFormula Substitute(Func<PairFormula, PairFormula?> atom) => atom(this) ?? this;
        internal override string PrintEngine(Func<PairFormula, string?>? name) => Scope == FormulaScope.Call ? $"M.Const({CSharp})" : CSharp;
        internal override string PrintMath(int parentPrecedence, bool rightOperand) => Math;
    }

    /// <summary>Element-wise functions, each an <c>IPairMath</c> operation (Softplus, Sigmoid and LogSigmoid in
    /// their stable forms, softplus as −logsigmoid(−a), as <c>Ops</c> computes it). Step and Sign are the
    /// derivatives of Relu and Abs (0 at 0, as TorchSharp's gradients are). StopGradient is the identity with a
    /// zero derivative (<c>sg(a)</c>, the DSL's <c>Frozen</c>).</summary>
    internal enum UnaryOp { Neg, Exp, Log, Sqrt, Softplus, Sigmoid, LogSigmoid, Relu, Square, Abs, Step, Sign, StopGradient }

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
                _ => Zero,                                                          // step, sign: piecewise constant; sg: none
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
            UnaryOp.Sign => a > 0 ? 1.0 : a < 0 ? -1.0 : 0.0,
            _ => a,
        };

        private static double LogSigmoid(double a) => System.Math.Min(a, 0.0) - System.Math.Log(1.0 + System.Math.Exp(-System.Math.Abs(a)));

        internal override string PrintEngine(Func<PairFormula, string?>? name) =>
            Op == UnaryOp.StopGradient ? Arg.ToEngine(name) : $"M.{Op}({Arg.ToEngine(name)})";

        internal override string PrintMath(int parentPrecedence, bool rightOperand)
        {
            if (Op == UnaryOp.Neg)
                return Parenthesize("−" + Arg.PrintMath(3, false), parentPrecedence >= 3 || parentPrecedence > 0 && rightOperand);
            var inner = Arg.PrintMath(0, false);
            return Op switch
            {
                UnaryOp.Exp => $"exp({inner})",
                UnaryOp.Log => $"log({inner})",
                UnaryOp.Sqrt => $"√({inner})",
                UnaryOp.Softplus => $"softplus({inner})",
                UnaryOp.Sigmoid => $"σ({inner})",
                UnaryOp.LogSigmoid => $"log σ({inner})",
                UnaryOp.Relu => $"relu({inner})",
                UnaryOp.Square => $"({inner})²",
                UnaryOp.Abs => $"|{inner}|",
                UnaryOp.Step => $"[{inner} > 0]",
                UnaryOp.Sign => $"sign({inner})",
                _ => $"sg({inner})",
            };
        }
    }

    /// <summary>Arithmetic; min / max (whose derivative goes to the smaller / larger argument; at a tie, to
    /// neither, a set of measure zero); log(e^a + e^b) and its derivative with respect to a, σ(a − b) (both −∞
    /// when a = b = −∞, with derivative 0, as <c>Ops.LogAddExp</c>; runtime helpers in <c>PairFunctions</c>).</summary>
    internal enum BinaryOp { Add, Sub, Mul, Div, Min, Max, LogAddExp, LogAddExpWeight }

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
                BinaryOp.Div => dl / Right - Left * dr / (Right * Right),        // quotient rule
                // min(a, b)' = [b − a > 0] a' + [a − b > 0] b'; max the other way round
                BinaryOp.Min => Apply(UnaryOp.Step, Right - Left) * dl + Apply(UnaryOp.Step, Left - Right) * dr,
                BinaryOp.Max => Apply(UnaryOp.Step, Left - Right) * dl + Apply(UnaryOp.Step, Right - Left) * dr,
                // log(e^a + e^b)' = σ(a − b) a' + σ(b − a) b'
                BinaryOp.LogAddExp => new Binary(BinaryOp.LogAddExpWeight, Left, Right) * dl + new Binary(BinaryOp.LogAddExpWeight, Right, Left) * dr,
                _ => throw new InvalidOperationException("The weight of a log-add-exp is not differentiated (no second derivatives)."),
            };
        }

        public override PairFormula Simplify()
        {
            var l = Left.Simplify();
            var r = Right.Simplify();
            if (l is Constant a && r is Constant b)
            {
                var v = Compute(Op, a.Value, b.Value);
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
            return Compute(Op, Left.Evaluate(atom), Right.Evaluate(atom));
        }

        /// <summary>The operation's value (the runtime's forms).</summary>
        internal static double Compute(BinaryOp op, double l, double r) => op switch
        {
            BinaryOp.Add => l + r,
            BinaryOp.Sub => l - r,
            BinaryOp.Mul => l * r,
            BinaryOp.Div => l / r,
            BinaryOp.Min => System.Math.Min(l, r),
            BinaryOp.Max => System.Math.Max(l, r),
            BinaryOp.LogAddExp => double.IsNegativeInfinity(System.Math.Max(l, r)) ? double.NegativeInfinity
                : System.Math.Max(l, r) + Unary.Compute(UnaryOp.Softplus, -System.Math.Abs(l - r)),
            _ => double.IsNegativeInfinity(System.Math.Max(l, r)) ? 0.0 : Unary.Compute(UnaryOp.Sigmoid, l - r),
        };

        internal override string PrintEngine(Func<PairFormula, string?>? name) => Op is BinaryOp.LogAddExp or BinaryOp.LogAddExpWeight
            ? $"global::LossDsl.Runtime.Kernels.PairFunctions.{Op}<T, M>({Left.ToEngine(name)}, {Right.ToEngine(name)})"
            : $"M.{Op}({Left.ToEngine(name)}, {Right.ToEngine(name)})";

        internal override string PrintMath(int parentPrecedence, bool rightOperand)
        {
            if (Op == BinaryOp.LogAddExp) return $"log(e^({Left.PrintMath(0, false)}) + e^({Right.PrintMath(0, false)}))";
            if (Op == BinaryOp.LogAddExpWeight) return $"σ({Left.PrintMath(1, false)} − {Right.PrintMath(2, true)})";
            if (Op is BinaryOp.Min or BinaryOp.Max)
                return $"{(Op == BinaryOp.Min ? "min" : "max")}({Left.PrintMath(0, false)}, {Right.PrintMath(0, false)})";
            var precedence = Op is BinaryOp.Add or BinaryOp.Sub ? 1 : 2;
            // The right operand of − and / binds tighter than its operator's precedence.
            var rightPrecedence = Op is BinaryOp.Sub or BinaryOp.Div ? precedence + 1 : precedence;
            var symbol = Op switch { BinaryOp.Add => "+", BinaryOp.Sub => "−", BinaryOp.Mul => "·", _ => "/" };
            var text = $"{Left.PrintMath(precedence, false)} {symbol} {Right.PrintMath(rightPrecedence, true)}";
            return Parenthesize(text, precedence < parentPrecedence);
        }
    }
}
