using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace LossDsl.Ir
{
    /// <summary>Prints IR in mathematical notation: whole term formulas for <c>Describe()</c>, and
    /// one line per node for the comments of generated code.</summary>
    public static class IrPrinter
    {
        /// <summary>The formula of the subtree at <paramref name="root"/>, inputs and hypers by name.</summary>
        public static string Formula(LossIr ir, int root)
        {
            var memo = new Dictionary<int, string>();
            string Print(int id)
            {
                if (memo.TryGetValue(id, out var text)) return text;
                var node = ir.Nodes[id];
                var args = node.Args.Select(a => Wrap(ir.Nodes[a], node, Print(a))).ToArray();
                return memo[id] = Format(node, args);
            }
            return Print(root);
        }

        /// <summary>One node over already-named arguments, e.g. <c>log_softmax(v3 / T)</c>.</summary>
        public static string Format(IrNode node, IReadOnlyList<string> args)
        {
            switch (node.Op)
            {
                case OpCode.Input: return node.Name;
                case OpCode.Hyper: return node.Name;
                case OpCode.Const: return FormatNumber(node.Number);
                case OpCode.Pairwise: return FormatPairwise(node.Metric, args[0], args[1]);
                case OpCode.Softmax when args.Count == 2: return $"softmax({args[0]} / {args[1]})";
                case OpCode.LogSoftmax when args.Count == 2: return $"log_softmax({args[0]} / {args[1]})";
                case OpCode.SameLabel or OpCode.DifferentLabel when args.Count == 1:
                    return string.Format(CultureInfo.InvariantCulture, OpCatalog.Get(node.Op).Notation, args[0], args[0]);
                case OpCode.Column when node.Attr is IndexAttr c: return $"{args[0]}[:, {c.Index}]";
                case OpCode.Part when node.Attr is IndexAttr p: return $"part {p.Index + 1}/{p.Count} of {args[0]}";
                case OpCode.RowSum or OpCode.RowMean or OpCode.RowLogSumExp or OpCode.RowMax or OpCode.RowMin
                    when node.Attr is AxesAttr { Axes.Count: > 0 } axes:
                    return $"{AxisReduction(node.Op)}_{{{string.Join(",", axes.Axes)}}} ({args[0]})";
                default:
                    return string.Format(CultureInfo.InvariantCulture, OpCatalog.Get(node.Op).Notation, args.Cast<object>().ToArray());
            }
        }

        private static string AxisReduction(OpCode op) => op switch
        {
            OpCode.RowSum => "Σ",
            OpCode.RowMean => "mean",
            OpCode.RowLogSumExp => "logΣexp",
            OpCode.RowMax => "max",
            _ => "min",
        };

        public static string FormatPairwise(Metric metric, string x, string y) => metric switch
        {
            Metric.Dot => $"⟨{x}_i, {y}_j⟩",
            Metric.Cosine => $"cos({x}_i, {y}_j)",
            Metric.Euclidean => $"‖{x}_i − {y}_j‖",
            Metric.SqEuclidean => $"‖{x}_i − {y}_j‖²",
            Metric.L1 => $"‖{x}_i − {y}_j‖₁",
            Metric.GeneralizedIoU => $"GIoU({x}_i, {y}_j)",
            _ => $"{metric}({x}_i, {y}_j)",
        };

        public static string FormatNumber(double value) =>
            value.ToString("R", CultureInfo.InvariantCulture);

        private static string Wrap(IrNode arg, IrNode parent, string text)
        {
            var argIsBinary = arg.Op is OpCode.Add or OpCode.Sub or OpCode.Mul or OpCode.Div;
            var parentIsArithmetic = parent.Op is OpCode.Add or OpCode.Sub or OpCode.Mul or OpCode.Div or OpCode.Neg;
            return argIsBinary && parentIsArithmetic ? "(" + text + ")" : text;
        }
    }

    /// <summary>Names of IR things in generated code.</summary>
    public static class IrNames
    {
        /// <summary>A C# identifier made from a term or input name.</summary>
        public static string Identifier(string name) =>
            new string(name.Select(c => char.IsLetterOrDigit(c) || c == '_' ? c : '_').ToArray());

        public static bool IsSelfPairwise(IrNode pairwise) =>
            pairwise.Op == OpCode.Pairwise && pairwise.Args[0] == pairwise.Args[1];
    }
}
