using System.Collections.Generic;
using System.Linq;

namespace LossDsl.Ir
{
    public static partial class Canonicalize
    {
        // Classes as the columns of a relation (Proxy-NCA's proxies, CosFace's and ArcFace's class weights): the
        // cross-entropy of each row against its class and the column at its class are reductions over the class graph
        // [j = y_i], which the fusion planner hands to the engine as labels against the class ids. Written this way the
        // fused path never builds the N×C logits, and the unfused path computes the same values (up to rounding).
        private sealed partial class Rewriter
        {
            /// <summary><c>Pick(r, y)</c> of a relation r [N, C] and labels y [N].</summary>
            private bool IsClassColumn(IrNode pick) =>
                pick.Args.Count == 2 && pick.Attr is null && IsClassRelation(pick.Args[0], pick.Args[1]);

            private bool IsClassRelation(int relation, int labels) =>
                _ir.Nodes[relation].Kind == ValueKind.Relation && _types.Rank(relation) == 2 && _types.Rank(labels) == 1;

            /// <summary><c>r_(i, y_i)</c> → <c>Σ_j r_ij over [j = y_i]</c>: the one pair of each row (none for an ignored
            /// label, 0 as Pick gives).</summary>
            private int ClassColumn(IrNode pick, int[] args) =>
                Intern(OpCode.RowSum, pick.Kind, null, Intern(OpCode.Over, ValueKind.Masked, null, args[0], ClassOf(args[1])));

            /// <summary><c>mean_i CE(ℓ_i, y_i)</c> over a relation ℓ [N, C] →
            /// <c>mean_{i: y_i valid} softplus(log Σ_{j ≠ y_i} exp ℓ_ij − ℓ_(i, y_i))</c>, which is
            /// <c>log Σ_j exp ℓ_ij − ℓ_(i, y_i)</c> with the target split from the rest. Where ℓ reads the class graph as weights
            /// (<c>ClassOf(y).AsWeights()</c>: CosFace's margin at the target), each part reads it as the constant it is
            /// there (0 off the target, 1 at it), so neither part reads the graph at all. Null when ℓ is not such a relation.</summary>
            private int? ClassCrossEntropy(IrNode ce)
            {
                if (ce.Args.Count != 2 || ce.Attr is not null) return null;
                var logits = ce.Args[0];
                while (_ir.Nodes[logits].Op == OpCode.As && _ir.Nodes[logits].Args.Count == 1) logits = _ir.Nodes[logits].Args[0];
                if (!IsClassRelation(logits, ce.Args[1])) return null;
                var labels = _map[ce.Args[1]];
                var classes = ClassOf(labels);
                var others = Intern(OpCode.RowLogSumExp, ValueKind.Vector, null,
                    Intern(OpCode.Over, ValueKind.Masked, null, AtClassIndicator(logits, labels, 0), Intern(OpCode.Not, ValueKind.Graph, null, classes)));
                var target = Intern(OpCode.RowSum, ValueKind.Vector, null,
                    Intern(OpCode.Over, ValueKind.Masked, null, AtClassIndicator(logits, labels, 1), classes));
                var perRow = Intern(OpCode.Softplus, ValueKind.Vector, null, Intern(OpCode.Sub, ValueKind.Vector, null, others, target));
                return Intern(OpCode.MeanWhere, ce.Kind, null, perRow, Intern(OpCode.Valid, ValueKind.Condition, null, labels));
            }

            private int ClassOf(int labels) => Intern(OpCode.ClassOf, ValueKind.Graph, null, labels);

            /// <summary>The relation at original node <paramref name="relation"/> (rewritten) with every
            /// <c>1[j = y_i]</c> of <paramref name="labels"/> read as <paramref name="value"/>, folded through the
            /// element-wise operations above it; the relation as it is where nothing changes or a node is not element-wise.</summary>
            private int AtClassIndicator(int relation, int labels, double value)
            {
                var memo = new Dictionary<int, int>();
                int Visit(int id)
                {
                    if (memo.TryGetValue(id, out var done)) return done;
                    var node = _ir.Nodes[id];
                    int result;
                    if (node.Op == OpCode.Indicator && _ir.Nodes[node.Args[0]] is { Op: OpCode.ClassOf, Attr: null } graph && _map[graph.Args[0]] == labels)
                        result = Const(value);
                    else if (node.Kind == ValueKind.Number || !ElementWise.Contains(node.Op) || node.Attr is not null)
                        result = _map[id];
                    else
                    {
                        var args = node.Args.Select(Visit).ToArray();
                        result = args.SequenceEqual(node.Args.Select(a => _map[a])) ? _map[id] : Fold(node, args);
                    }
                    memo[id] = result;
                    return result;
                }
                var rewritten = Visit(relation);
                // A relation that folds to a constant keeps its own form (Over needs a relation).
                return New(rewritten).Kind == ValueKind.Number ? _map[relation] : rewritten;
            }

            /// <summary>The element-wise operations the indicator is folded through.</summary>
            private static readonly HashSet<OpCode> ElementWise = new() { OpCode.Add, OpCode.Sub, OpCode.Mul, OpCode.Neg };

            /// <summary><paramref name="node"/> on rewritten <paramref name="args"/>, with 0 and 1 folded away
            /// (<c>0·x = 0</c>, <c>1·x = x</c>, <c>x ± 0 = x</c>, constants computed).</summary>
            private int Fold(IrNode node, int[] args)
            {
                double? C(int id) => New(id).Op == OpCode.Const ? New(id).Number : null;
                if (node.Op == OpCode.Neg) return C(args[0]) is { } n ? Const(-n) : Intern(OpCode.Neg, node.Kind, null, args[0]);
                var (a, b) = (C(args[0]), C(args[1]));
                if (a is { } x && b is { } y)
                    return Const(node.Op switch { OpCode.Add => x + y, OpCode.Sub => x - y, _ => x * y });
                switch (node.Op)
                {
                    case OpCode.Mul when a == 0 || b == 0: return Const(0);
                    case OpCode.Mul when a == 1: return args[1];
                    case OpCode.Mul when b == 1: return args[0];
                    case OpCode.Add when a == 0: return args[1];
                    case OpCode.Add or OpCode.Sub when b == 0: return args[0];
                    case OpCode.Sub when a == 0: return Negate(args[1]);
                    default: return Arithmetic(node.Op, args[0], args[1]);
                }
            }

            private int Const(double value) => Intern(OpCode.Const, ValueKind.Number, new ConstAttr(value, NumericType.Double));
        }
    }
}
