using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace LossDsl.Ir
{
    /// <summary>Rewrites of a whole <see cref="LossIr"/> that keep its meaning.</summary>
    public static class IrTransforms
    {
        /// <summary>Replaces every hyper-parameter by its value and folds number arithmetic the way
        /// C# evaluates it (int, float and double as written), so the IR the generator extracted
        /// equals the IR a run-time trace builds for the same instance.</summary>
        public static LossIr BindHypers(LossIr ir, IReadOnlyDictionary<string, double> values)
        {
            var builder = new IrBuilder();
            var map = new int[ir.Nodes.Count];
            var numbers = new (double value, string type)?[ir.Nodes.Count];
            foreach (var node in ir.Nodes)
            {
                numbers[node.Id] = Fold(node, numbers, values);
                map[node.Id] = numbers[node.Id] is { } n
                    ? builder.Intern(OpCode.Const, ValueKind.Number, new int[0], n.value, NumericTypes.Double)
                    : builder.Intern(node.Op, node.Kind, node.Args.Select(a => map[a]).ToArray(), node.Number, node.Name);
            }
            foreach (var term in ir.Terms) builder.AddTerm(term.Name, term.Weight, map[term.Root], term.Source);
            return builder.Build() with { Inputs = ir.Inputs };
        }

        private static (double, string)? Fold(IrNode node, (double value, string type)?[] numbers, IReadOnlyDictionary<string, double> values)
        {
            if (node.Kind != ValueKind.Number) return null;
            switch (node.Op)
            {
                case OpCode.Const: return (node.Number, node.Name);
                case OpCode.Hyper:
                    var name = IrNames.HyperName(node);
                    if (!values.TryGetValue(name, out var v)) throw new ArgumentException($"No value for hyper-parameter '{name}'.");
                    var t = IrNames.HyperType(node);
                    return (Narrow(v, t), t);
                case OpCode.Neg:
                    var x = numbers[node.Args[0]]!.Value;
                    return (Narrow(-x.value, x.type), x.type);
                case OpCode.Add: case OpCode.Sub: case OpCode.Mul: case OpCode.Div:
                    var a = numbers[node.Args[0]]!.Value;
                    var b = numbers[node.Args[1]]!.Value;
                    var type = NumericTypes.Promote(a.type, b.type);
                    return (Apply(node.Op, a.value, b.value, type), type);
                default: return null;
            }
        }

        private static double Narrow(double v, string type) => type switch
        {
            NumericTypes.Int => (int)v,
            NumericTypes.Float => (float)v,
            _ => v,
        };

        private static double Apply(OpCode op, double a, double b, string type)
        {
            if (type == NumericTypes.Int)
            {
                int x = (int)a, y = (int)b;
                return op switch { OpCode.Add => x + y, OpCode.Sub => x - y, OpCode.Mul => x * y, _ => y == 0 ? double.NaN : x / y };
            }
            if (type == NumericTypes.Float)
            {
                float x = (float)a, y = (float)b;
                return op switch { OpCode.Add => x + y, OpCode.Sub => x - y, OpCode.Mul => x * y, _ => x / y };
            }
            return op switch { OpCode.Add => a + b, OpCode.Sub => a - b, OpCode.Mul => a * b, _ => a / b };
        }

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
}
