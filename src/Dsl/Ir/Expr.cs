using System;
using System.Collections.Generic;

namespace LossDsl.Ir
{
    /// <summary>An expression tree as a term builds it: the DSL values hold one at run time, and the
    /// generator builds the same tree from a term's syntax. <see cref="IrBuilder"/> interns trees into
    /// the shared DAG of a <see cref="LossIr"/>.</summary>
    public sealed class Expr
    {
        private Expr(OpCode op, ValueKind kind, Expr[] args, NodeAttr? attr)
        {
            Op = op;
            Kind = kind;
            Args = args;
            Attr = attr;
        }

        public OpCode Op { get; }
        public ValueKind Kind { get; }
        public IReadOnlyList<Expr> Args { get; }

        /// <summary>What the node needs besides its arguments (an input's name, a constant's value, a metric, …).</summary>
        public NodeAttr? Attr { get; }

        /// <summary>A symbolic input named <paramref name="name"/> with the role's default dimensions, or
        /// <paramref name="dims"/> when given (see <see cref="TypeInference"/>).</summary>
        public static Expr Input(string name, ValueKind kind, params string[] dims) =>
            new(OpCode.Input, kind, Array.Empty<Expr>(), new InputAttr(name, dims));

        /// <summary>An input with a fully given attribute (dimensions, ignored label index).</summary>
        public static Expr Input(InputAttr attr, ValueKind kind) => new(OpCode.Input, kind, Array.Empty<Expr>(), attr);

        public static Expr Hyper(string name, NumericType type) =>
            new(OpCode.Hyper, ValueKind.Number, Array.Empty<Expr>(), new HyperAttr(name, type));

        public static Expr Const(double value, NumericType type = NumericType.Double) =>
            new(OpCode.Const, ValueKind.Number, Array.Empty<Expr>(), new ConstAttr(value, type));

        public static Expr Of(OpCode op, ValueKind kind, params Expr[] args) => new(op, kind, args, null);

        public static Expr Of(OpCode op, ValueKind kind, NodeAttr? attr, params Expr[] args) => new(op, kind, args, attr);

        /// <summary>Host-number arithmetic or math, typed by C#'s promotion.</summary>
        public static Expr Number(OpCode op, NumericType type, params Expr[] args) => new(op, ValueKind.Number, args, new NumberAttr(type));
    }
}
