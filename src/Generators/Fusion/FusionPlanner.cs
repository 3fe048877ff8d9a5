using System.Collections.Generic;
using System.Linq;
using LossDsl.Ir;

namespace LossDsl.Generators.Fusion
{
    /// <summary>Finds the fused regions of a loss: masked row log-sum-exps over scaled pairwise dot
    /// products (the core of NT-Xent, SupCon and InfoNCE),
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
                if (node.Op != OpCode.RowLogSumExp) continue;
                var match = Match(ir, node, out var members);
                if (match is null) continue;
                regions.Add(match with { Interior = Interior(node.Id, members, users, termRoots) });
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
            if (pairwise.Name != "Dot") return null;
            members.Add(pairwise.Id);

            // The graph, under any number of ExcludeSelf.
            var graph = ir.Nodes[over.Args[1]];
            var excludeSelf = false;
            while (graph.Op == OpCode.ExcludeSelf)
            {
                members.Add(graph.Id);
                excludeSelf = true;
                graph = ir.Nodes[graph.Args[0]];
            }
            string kind;
            var labels = -1;
            switch (graph.Op)
            {
                case OpCode.AllPairs: kind = AllPairs; break;
                case OpCode.SameLabel: kind = SameLabel; labels = graph.Args[0]; break;
                case OpCode.DifferentLabel: kind = DifferentLabel; labels = graph.Args[0]; break;
                default: return null;
            }
            members.Add(graph.Id);

            return new FusedRegion(root.Id, pairwise.Args[0], pairwise.Args[1], labels, kind, excludeSelf,
                scale, divisor, EquatableArray<int>.Empty);
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
