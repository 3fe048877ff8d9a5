using System;
using System.Collections.Generic;

namespace LossDsl.Ir
{
    /// <summary>An expression tree as a term builds it: the DSL values hold one at run time, and the
    /// generator builds the same tree from a term's syntax. <see cref="IrBuilder"/> interns trees into
    /// the shared DAG of a <see cref="LossIr"/>.</summary>
    public sealed class Expr
    {
        private Expr(OpCode op, ValueKind kind, Expr[] args, double number, string name)
        {
            Op = op;
            Kind = kind;
            Args = args;
            Number = number;
            Name = name;
        }

        public OpCode Op { get; }
        public ValueKind Kind { get; }
        public IReadOnlyList<Expr> Args { get; }

        /// <summary>The value of a <see cref="OpCode.Const"/>.</summary>
        public double Number { get; }

        /// <summary>The input or hyper-parameter name, the metric of a pairwise relation, or the
        /// C# numeric type ("int", "float", "double") of a number node.</summary>
        public string Name { get; }

        public static Expr Input(string name, ValueKind kind) =>
            new(OpCode.Input, kind, Array.Empty<Expr>(), 0, name);

        public static Expr Hyper(string name, string numericType) =>
            new(OpCode.Hyper, ValueKind.Number, Array.Empty<Expr>(), 0, name + ":" + numericType);

        public static Expr Const(double value, string numericType = NumericTypes.Double) =>
            new(OpCode.Const, ValueKind.Number, Array.Empty<Expr>(), value, numericType);

        public static Expr Of(OpCode op, ValueKind kind, params Expr[] args) => new(op, kind, args, 0, "");

        public static Expr Of(OpCode op, ValueKind kind, string name, params Expr[] args) => new(op, kind, args, 0, name);
    }

    /// <summary>C# numeric types of number nodes, so folded values follow C#'s own arithmetic.</summary>
    public static class NumericTypes
    {
        public const string Int = "int";
        public const string Float = "float";
        public const string Double = "double";

        /// <summary>C#'s binary numeric promotion for the three types the DSL accepts.</summary>
        public static string Promote(string a, string b) =>
            a == Double || b == Double ? Double : a == Float || b == Float ? Float : Int;
    }
}
