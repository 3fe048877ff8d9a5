using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace LossDsl.Ir
{
    /// <summary>Rewrites of a whole <see cref="LossIr"/> that keep its meaning.</summary>
    public static class IrTransforms
    {
        /// <summary>Replaces every hyper-parameter by its value and folds host-number arithmetic the way
        /// C# evaluates it (int, float and double as written; <c>Math.Cos</c> and friends in double), so the IR
        /// the generator extracted equals the IR a run-time trace builds for the same instance.</summary>
        public static LossIr BindHypers(LossIr ir, IReadOnlyDictionary<string, double> values)
        {
            var builder = new IrBuilder();
            var map = new int[ir.Nodes.Count];
            var numbers = new (double value, NumericType type)?[ir.Nodes.Count];
            foreach (var node in ir.Nodes)
            {
                numbers[node.Id] = Fold(node, numbers, values);
                map[node.Id] = numbers[node.Id] is { } n
                    ? builder.Intern(OpCode.Const, ValueKind.Number, new int[0], new ConstAttr(n.value, NumericType.Double))
                    : builder.Intern(node.Op, node.Kind, node.Args.Select(a => map[a]).ToArray(), node.Attr);
            }
            foreach (var term in ir.Terms) builder.AddTerm(term.Name, term.Weight, map[term.Root], term.Source);
            return builder.Build() with { Inputs = ir.Inputs };
        }

        private static (double, NumericType)? Fold(IrNode node, (double value, NumericType type)?[] numbers, IReadOnlyDictionary<string, double> values)
        {
            if (node.Kind != ValueKind.Number) return null;
            switch (node.Op)
            {
                case OpCode.Const: return (node.Number, node.NumericType);
                case OpCode.Hyper:
                    if (!values.TryGetValue(node.Name, out var v)) throw new ArgumentException($"No value for hyper-parameter '{node.Name}'.");
                    return (Narrow(v, node.NumericType), node.NumericType);
            }
            var args = node.Args.Select(a => numbers[a]!.Value).ToArray();
            var type = node.NumericType;
            return (Narrow(HostMath.Apply(node.Op, args.Select(a => a.value).ToArray(), type), type), type);
        }

        private static double Narrow(double v, NumericType type) => type switch
        {
            NumericType.Int => (int)v,
            NumericType.Float => (float)v,
            _ => v,
        };

        /// <summary>A canonical text of the loss: each term with its weight and formula. Two IRs with
        /// equal text compute the same thing.</summary>
        public static string CanonicalText(LossIr ir)
        {
            var text = new StringBuilder();
            foreach (var input in ir.Inputs) text.Append("input ").Append(input.Name).Append(" : ").Append(input.Kind).Append('\n');
            foreach (var term in ir.Terms)
                text.Append("term ").Append(term.Name).Append(" (weight ").Append(IrPrinter.FormatNumber(term.Weight))
                    .Append(") = ").Append(IrPrinter.Formula(ir, term.Root)).Append('\n');
            return text.ToString();
        }
    }

    /// <summary>The host-number operations a term may apply to literals and hyper-parameters, evaluated as C#
    /// evaluates them: <c>+ − · /</c> in the promoted type (int division truncates), and <c>Math</c>'s functions in
    /// double. Generated code writes the same expressions in C#.</summary>
    public static class HostMath
    {
        /// <summary>The <c>System.Math</c> method each host function lowers from (and is emitted as).</summary>
        public static readonly IReadOnlyDictionary<string, OpCode> MathMethods = new Dictionary<string, OpCode>
        {
            ["Exp"] = OpCode.Exp, ["Log"] = OpCode.Log, ["Sqrt"] = OpCode.Sqrt, ["Abs"] = OpCode.Abs,
            ["Cos"] = OpCode.Cos, ["Sin"] = OpCode.Sin, ["Acos"] = OpCode.Acos, ["Tanh"] = OpCode.Tanh,
            ["Pow"] = OpCode.Pow, ["Min"] = OpCode.Minimum, ["Max"] = OpCode.Maximum,
        };

        /// <summary>The C# method name of a host function (the inverse of <see cref="MathMethods"/>).</summary>
        public static string MathName(OpCode op) => MathMethods.First(m => m.Value == op).Key;

        public static double Apply(OpCode op, double[] a, NumericType type)
        {
            if (type == NumericType.Int && op is OpCode.Add or OpCode.Sub or OpCode.Mul or OpCode.Div or OpCode.Neg)
            {
                int x = (int)a[0], y = a.Length > 1 ? (int)a[1] : 0;
                return op switch
                {
                    OpCode.Add => x + y, OpCode.Sub => x - y, OpCode.Mul => x * y, OpCode.Neg => -x,
                    _ => y == 0 ? double.NaN : x / y,
                };
            }
            if (type == NumericType.Float && op is OpCode.Add or OpCode.Sub or OpCode.Mul or OpCode.Div or OpCode.Neg)
            {
                float x = (float)a[0], y = a.Length > 1 ? (float)a[1] : 0;
                return op switch { OpCode.Add => x + y, OpCode.Sub => x - y, OpCode.Mul => x * y, OpCode.Neg => -x, _ => x / y };
            }
            return op switch
            {
                OpCode.Add => a[0] + a[1],
                OpCode.Sub => a[0] - a[1],
                OpCode.Mul => a[0] * a[1],
                OpCode.Div => a[0] / a[1],
                OpCode.Neg => -a[0],
                OpCode.Exp => Math.Exp(a[0]),
                OpCode.Log => Math.Log(a[0]),
                OpCode.Sqrt => Math.Sqrt(a[0]),
                OpCode.Abs => Math.Abs(a[0]),
                OpCode.Cos => Math.Cos(a[0]),
                OpCode.Sin => Math.Sin(a[0]),
                OpCode.Acos => Math.Acos(a[0]),
                OpCode.Tanh => Math.Tanh(a[0]),
                OpCode.Pow => Math.Pow(a[0], a[1]),
                OpCode.Minimum => Math.Min(a[0], a[1]),
                OpCode.Maximum => Math.Max(a[0], a[1]),
                _ => throw new InvalidOperationException($"{op} is not a host-number operation."),
            };
        }
    }
}
