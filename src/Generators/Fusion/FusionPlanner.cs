using System.Collections.Generic;
using System.Linq;
using LossDsl.Ir;

namespace LossDsl.Generators.Fusion
{
    /// <summary>Finds the fused regions of a loss. Masked pair sums (<see cref="MatchSum"/>: NT-Xent's and
    /// SupCon's positive terms) and masked row log-sum-exps over scaled pairwise dot products (the core of
    /// NT-Xent, SupCon and InfoNCE),
    /// <code>RowLogSumExp(Over(R, G))</code>
    /// with <c>R</c> = <c>Pairwise(x, y, Dot)</c>, optionally times a number (<c>R · s</c>, <c>s · R</c>) or
    /// over one (<c>R / s</c>), and <c>G</c> = <c>SameLabel(ℓ)</c>, <c>DifferentLabel(ℓ)</c> or
    /// <c>AllPairs()</c>, optionally under <c>ExcludeSelf</c>.</summary>
    internal static class FusionPlanner
    {
        public const string AllPairs = "AllPairs";
        public const string SameLabel = "SameLabel";
        public const string DifferentLabel = "DifferentLabel";

        /// <summary>The regions of <paramref name="ir"/>, ordered by root id.</summary>
        public static EquatableArray<FusedRegion> Plan(LossIr ir)
        {
            var users = Users(ir);
            var termRoots = new HashSet<int>(ir.Terms.Select(t => t.Root));
            var regions = new List<FusedRegion>();
            foreach (var node in ir.Nodes)
            {
                List<int> members = null!;
                var match = node.Op == OpCode.RowLogSumExp ? Match(ir, node, out members)
                    : SumReductions.Contains(node.Op) ? MatchSum(ir, node, out members)
                    : null;
                if (match is null) continue;
                regions.Add(match with { Interior = Interior(node.Id, members!, users, termRoots) });
            }
            return regions.ToEquatableArray();
        }

        /// <summary>The region rooted at <paramref name="root"/>, or null if it is not the pattern;
        /// <paramref name="members"/> gets the nodes between the root and the region's operands.</summary>
        private static FusedRegion? Match(LossIr ir, IrNode root, out List<int> members)
        {
            members = new List<int>();
            var over = ir.Nodes[root.Args[0]];
            if (over.Op != OpCode.Over) return null;
            members.Add(over.Id);

            // The relation: P, P · s, s · P or P / s, with s a host number.
            var relation = ir.Nodes[over.Args[0]];
            IrNode pairwise;
            int scale = -1;
            var divisor = false;
            if (relation.Op == OpCode.Pairwise)
                pairwise = relation;
            else if (relation.Op is OpCode.Mul or OpCode.Div)
            {
                var left = ir.Nodes[relation.Args[0]];
                var right = ir.Nodes[relation.Args[1]];
                if (left.Op == OpCode.Pairwise && right.Kind == ValueKind.Number)
                {
                    pairwise = left;
                    scale = right.Id;
                    divisor = relation.Op == OpCode.Div;
                }
                else if (relation.Op == OpCode.Mul && right.Op == OpCode.Pairwise && left.Kind == ValueKind.Number)
                {
                    pairwise = right;
                    scale = left.Id;
                }
                else return null;
                members.Add(relation.Id);
            }
            else return null;
            if (pairwise.Metric != Metric.Dot || !IsRowsByFeatures(ir, pairwise)) return null;
            members.Add(pairwise.Id);

            if (!MatchGraph(ir, over, members, out var kind, out var labels, out var excludeSelf)) return null;
            return new FusedRegion(root.Id, pairwise.Args[0], pairwise.Args[1], labels, kind, excludeSelf,
                scale, divisor, EquatableArray<int>.Empty);
        }

        /// <summary>The graph of <paramref name="over"/>: SameLabel, DifferentLabel or AllPairs under any
        /// number of ExcludeSelf; false for any other graph.</summary>
        private static bool MatchGraph(LossIr ir, IrNode over, List<int> members, out string kind, out int labels, out bool excludeSelf)
        {
            var graph = ir.Nodes[over.Args[1]];
            excludeSelf = false;
            while (graph.Op == OpCode.ExcludeSelf)
            {
                members.Add(graph.Id);
                excludeSelf = true;
                graph = ir.Nodes[graph.Args[0]];
            }
            labels = -1;
            switch (graph.Op)
            {
                case OpCode.AllPairs: kind = AllPairs; break;
                // One label vector for rows and columns: the kernels compare label_i with label_j of one batch.
                case OpCode.SameLabel when graph.Args.Count == 1: kind = SameLabel; labels = graph.Args[0]; break;
                case OpCode.DifferentLabel when graph.Args.Count == 1: kind = DifferentLabel; labels = graph.Args[0]; break;
                default: kind = ""; return false;
            }
            members.Add(graph.Id);
            return true;
        }

        private static readonly HashSet<OpCode> SumReductions = new() { OpCode.RowSum, OpCode.RowMean, OpCode.Sum, OpCode.Mean };

        private static readonly Dictionary<OpCode, UnaryOp> Unaries = new()
        {
            [OpCode.Neg] = UnaryOp.Neg, [OpCode.Exp] = UnaryOp.Exp, [OpCode.Log] = UnaryOp.Log, [OpCode.Sqrt] = UnaryOp.Sqrt,
            [OpCode.Softplus] = UnaryOp.Softplus, [OpCode.Sigmoid] = UnaryOp.Sigmoid, [OpCode.LogSigmoid] = UnaryOp.LogSigmoid,
            [OpCode.Relu] = UnaryOp.Relu, [OpCode.Square] = UnaryOp.Square, [OpCode.Abs] = UnaryOp.Abs,
        };

        private static readonly Dictionary<OpCode, BinaryOp> Binaries = new()
        {
            [OpCode.Add] = BinaryOp.Add, [OpCode.Sub] = BinaryOp.Sub, [OpCode.Mul] = BinaryOp.Mul, [OpCode.Div] = BinaryOp.Div,
        };

        /// <summary>The symbol of row value node <paramref name="node"/> at row i (in a kernel, the local <c>v{node}_i</c>).</summary>
        public static Symbol RowValue(int node) => new($"v{node}_i", $"v{node}_i", FormulaScope.Row);

        /// <summary>The same row value read at row j (a self relation's backward visits (i, j) as (j, i)).</summary>
        public static Symbol RowValueAtJ(int node) => new($"v{node}_j", $"v{node}_j", FormulaScope.Pair);

        /// <summary>The <paramref name="index"/>-th host number of a pair sum, printed as its IR formula.</summary>
        public static Symbol Number(int index, string formula) =>
            new($"c{index}", formula.Contains(" ") ? "(" + formula + ")" : formula, FormulaScope.Call);

        /// <summary>A masked pair sum, <c>Reduce(Over(R, G))</c> with Reduce one of RowSum, RowMean, Sum and
        /// Mean and R an element-wise tree whose only pairwise leaf is <c>Pairwise(x, y, Dot)</c> (one or
        /// more nodes with the same operands) and whose other leaves are Vectors (row values, broadcast
        /// along rows) and numbers; null otherwise.</summary>
        private static FusedRegion? MatchSum(LossIr ir, IrNode root, out List<int> members)
        {
            members = new List<int>();
            var over = ir.Nodes[root.Args[0]];
            if (over.Op != OpCode.Over) return null;
            members.Add(over.Id);
            var memberList = members;
            IrNode? pairwise = null;
            var rowValues = new List<int>();
            var numbers = new List<int>();

            PairFormula? Translate(int id)
            {
                var node = ir.Nodes[id];
                switch (node.Kind)
                {
                    case ValueKind.Number:
                        if (node.Op == OpCode.Const && node.NumericType == NumericType.Double) return PairFormula.Const(node.Number);
                        if (!numbers.Contains(id)) numbers.Add(id);
                        return Number(numbers.IndexOf(id), IrPrinter.Formula(ir, id));
                    case ValueKind.Vector:
                        if (!rowValues.Contains(id)) rowValues.Add(id);
                        return RowValue(id);
                    case ValueKind.Relation:
                        break;
                    default:
                        return null;
                }
                memberList.Add(id);
                if (node.Op == OpCode.Pairwise)
                {
                    if (node.Metric != Metric.Dot || !IsRowsByFeatures(ir, node)) return null;
                    if (pairwise is null) pairwise = node;
                    else if (!pairwise.Args.Equals(node.Args)) return null;
                    return PairLeaf.Dot;
                }
                if (Unaries.TryGetValue(node.Op, out var unary))
                {
                    var arg = Translate(node.Args[0]);
                    return arg is null ? null : PairFormula.Apply(unary, arg);
                }
                if (Binaries.TryGetValue(node.Op, out var binary))
                {
                    var left = Translate(node.Args[0]);
                    var right = left is null ? null : Translate(node.Args[1]);
                    return right is null ? null : new Binary(binary, left!, right);
                }
                return null;
            }

            var summand = Translate(over.Args[0]);
            if (summand is null || pairwise is null) return null;
            if (!MatchGraph(ir, over, members, out var kind, out var labels, out var excludeSelf)) return null;
            return new FusedRegion(root.Id, pairwise.Args[0], pairwise.Args[1], labels, kind, excludeSelf,
                -1, false, EquatableArray<int>.Empty)
            {
                Reduction = root.Op.ToString(),
                Summand = summand,
                RowValues = rowValues.ToEquatableArray(),
                Numbers = numbers.ToEquatableArray(),
            };
        }

        /// <summary>The members whose every use lies inside the region (the root or other interior
        /// members) and that no term returns: the fused path never computes them. Users always have
        /// larger ids, so one pass in decreasing id order settles each member after its users.</summary>
        private static EquatableArray<int> Interior(int root, List<int> members, List<int>[] users, HashSet<int> termRoots)
        {
            var interior = new SortedSet<int>();
            foreach (var id in members.Distinct().OrderByDescending(i => i))
            {
                if (termRoots.Contains(id)) continue;
                if (users[id].All(u => u == root || interior.Contains(u))) interior.Add(id);
            }
            return interior.ToEquatableArray();
        }

        /// <summary>The kernels read operands as rows × features: token relations and other batched operands stay unfused.</summary>
        private static bool IsRowsByFeatures(LossIr ir, IrNode pairwise) =>
            pairwise.Args.All(a => ir.Nodes[a].Kind is ValueKind.Embeddings or ValueKind.Logits or ValueKind.Probs or ValueKind.LogProbs)
            && pairwise.Args.All(a => !HasDeclaredRank(ir, a, other: 2));

        /// <summary>Whether the input under node <paramref name="id"/> declares a rank other than <paramref name="other"/>.</summary>
        private static bool HasDeclaredRank(LossIr ir, int id, int other)
        {
            var stack = new Stack<int>();
            stack.Push(id);
            while (stack.Count > 0)
            {
                var node = ir.Nodes[stack.Pop()];
                if (node.Attr is InputAttr { Dims.Count: > 0 } input && input.Dims.Count != other) return true;
                foreach (var a in node.Args) stack.Push(a);
            }
            return false;
        }

        private static List<int>[] Users(LossIr ir)
        {
            var users = new List<int>[ir.Nodes.Count];
            for (var i = 0; i < users.Length; i++) users[i] = new List<int>();
            foreach (var node in ir.Nodes)
                foreach (var arg in node.Args.Distinct())
                    users[arg].Add(node.Id);
            return users;
        }
    }
}
