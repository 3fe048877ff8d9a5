using System.Collections.Generic;
using System.Linq;
using LossDsl.Ir;

namespace LossDsl.Generators
{
    /// <summary>Element-wise formulas over a relation that only pair or row sums and means read through a graph:
    /// <c>mean(f(r, u_i, v_j) over g)</c>. Written node by node, f is computed at all N×M pairs and then masked;
    /// NT-Xent's positives select two of N pairs per row, so nearly all of that work (and an N×M allocation per
    /// element-wise step, forward and backward) is thrown away. The emitter instead writes f once as a lambda that
    /// <c>Ops.OverPairs</c> runs at the graph's pairs when they are few and at every pair otherwise
    /// (<c>PairSupport</c>). Such a formula is a <see cref="Chain"/>: the element-wise nodes between the masked
    /// relation and its leaves that nothing else reads.</summary>
    internal static class PairChains
    {
        /// <summary>One masked relation whose values are a formula evaluated per pair.</summary>
        /// <param name="Over">The <c>Over</c> node (a masked relation read only by pair reductions, row sums and means).</param>
        /// <param name="Values">The relation it masks: the last interior node, or a leaf when there is no interior.</param>
        /// <param name="Graph">The graph (Bool or weights) that selects the pairs.</param>
        /// <param name="Interior">The element-wise nodes computed inside the lambda, in topological order (may be empty).</param>
        /// <param name="Labels">Where the graph is a same-label graph that only this chain reads: its labels, handed to
        /// <c>Ops.OverPairs</c> instead of the graph (its nodes are then never computed); else null.</param>
        internal sealed record Chain(int Over, int Values, int Graph, IReadOnlyList<int> Interior, LabelGraph? Labels = null);

        /// <summary>A graph <c>SameLabel(rows, columns)</c>, or that graph <c>.ExcludeSelf()</c>, given to the run time as
        /// its labels (<c>Ops.SameLabelPairs</c>): the pairs are listed from them and no N×M mask is built (two of
        /// 256 MiB each for NT-Xent's positives at 16,384 rows). <paramref name="Nodes"/> are the graph's nodes.</summary>
        internal sealed record LabelGraph(int RowLabels, int ColumnLabels, bool ExcludeSelf, IReadOnlyList<int> Nodes);

        /// <summary>Operations that act on each pair alone (their run-time calls are plain broadcasting tensor
        /// operations, equally valid on <c>[P]</c> vectors).</summary>
        private static readonly HashSet<OpCode> ElementWise = new()
        {
            OpCode.Add, OpCode.Sub, OpCode.Mul, OpCode.Div, OpCode.Neg, OpCode.Pow, OpCode.Minimum, OpCode.Maximum,
            OpCode.LogAddExp, OpCode.Exp, OpCode.Log, OpCode.Sqrt, OpCode.Square, OpCode.Abs, OpCode.Relu, OpCode.Softplus,
            OpCode.Sigmoid, OpCode.LogSigmoid, OpCode.StopGradient, OpCode.Cos, OpCode.Sin, OpCode.Acos, OpCode.Clamp,
            OpCode.Log1p, OpCode.Tanh, OpCode.Less, OpCode.LessEq, OpCode.Greater, OpCode.GreaterEq, OpCode.Where,
            OpCode.And, OpCode.Or, OpCode.Not, OpCode.Indicator,
        };

        /// <summary>Reductions over all selected pairs: they read a masked relation's values and mask only as a
        /// multiset of selected pairs, so the pairs' order and the unselected ones do not matter.</summary>
        private static readonly HashSet<OpCode> PairReductions = new() { OpCode.Mean, OpCode.Sum, OpCode.MeanNonZero, OpCode.CountPositive };

        /// <summary>Whether <paramref name="reader"/> reads a masked relation as its selected pairs (and their rows)
        /// alone: the pair reductions, and the sum and mean of each row (of the last axis, the rows as the relation
        /// has them).</summary>
        private static bool ReadsAsPairs(IrNode reader) =>
            PairReductions.Contains(reader.Op)
            || reader.Op is OpCode.RowSum or OpCode.RowMean && reader.Attr is not AxesAttr { Axes.Count: > 0 };

        /// <summary>The chains among the nodes one block emits.</summary>
        /// <param name="block">The nodes of the block (the body of <c>Compute</c>, or a region's unfused branch).</param>
        /// <param name="pinned">Nodes that must be computed as they are: read outside the block's statements.</param>
        /// <param name="consumers">Each node's readers (<see cref="IrReaders"/>).</param>
        public static Dictionary<int, Chain> Find(LossIr ir, IrTypes types, IReadOnlyDictionary<int, List<int>> consumers,
            IReadOnlyCollection<int> block, System.Func<int, bool> pinned)
        {
            var result = new Dictionary<int, Chain>();
            var inBlock = new HashSet<int>(block);

            foreach (var id in block)
            {
                var over = ir.Nodes[id];
                if (over.Op != OpCode.Over || over.Kind != ValueKind.Masked || over.Args.Count != 2) continue;
                int values = over.Args[0], graph = over.Args[1];
                var dims = types.Of(graph);
                if (dims.Count != 2 || !Broadcasts(types.Of(values), dims)) continue;
                if (consumers[id].Count == 0 || !consumers[id].All(c => ReadsAsPairs(ir.Nodes[c]))) continue;

                // From the masked relation towards the leaves; a node is decided after all its consumers (larger ids).
                var interior = new HashSet<int>();
                var pending = new SortedSet<int> { values };
                while (pending.Count > 0)
                {
                    var n = pending.Max;
                    pending.Remove(n);
                    var node = ir.Nodes[n];
                    var readers = consumers[n].All(c => c == id ? n == values : interior.Contains(c));
                    if (!readers || !inBlock.Contains(n) || pinned(n) || !Broadcasts(types.Of(n), dims)) continue;
                    var placed = node.Op is OpCode.PerRow or OpCode.PerColumn && types.Rank(node.Args[0]) == 1;
                    if (!placed && !(ElementWise.Contains(node.Op) && Enumerable.Range(0, node.Args.Count).All(k => Readable(ir, types, node, k, dims))))
                        continue;
                    interior.Add(n);
                    foreach (var arg in node.Args)
                        if (ir.Nodes[arg].Kind != ValueKind.Number && ir.Nodes[arg].Op != OpCode.Input) pending.Add(arg);
                }
                result[id] = new Chain(id, values, graph, interior.OrderBy(n => n).ToList(), Labels(ir, types, consumers, id, graph, inBlock, pinned));
            }
            return result;
        }

        /// <summary>The graph of the chain at <paramref name="over"/> as labels, when it is a same-label graph on label
        /// vectors (optionally without self pairs) whose nodes nothing but the chain reads; else null.</summary>
        private static LabelGraph? Labels(LossIr ir, IrTypes types, IReadOnlyDictionary<int, List<int>> consumers, int over, int graph,
            HashSet<int> inBlock, System.Func<int, bool> pinned)
        {
            bool Private(int node, int reader) =>
                inBlock.Contains(node) && !pinned(node) && consumers[node].Count > 0 && consumers[node].All(c => c == reader);
            var nodes = new List<int>();
            var g = ir.Nodes[graph];
            var reader = over;
            var excludeSelf = false;
            if (g.Op == OpCode.ExcludeSelf)
            {
                if (!Private(g.Id, reader)) return null;
                nodes.Add(g.Id);
                excludeSelf = true;
                reader = g.Id;
                g = ir.Nodes[g.Args[0]];
            }
            if (g.Op != OpCode.SameLabel || g.Args.Count is < 1 or > 2 || !Private(g.Id, reader)) return null;
            nodes.Add(g.Id);
            int rows = g.Args[0], columns = g.Args.Count == 2 ? g.Args[1] : g.Args[0];
            if (types.Rank(rows) != 1 || types.Rank(columns) != 1) return null;
            return new LabelGraph(rows, columns, excludeSelf, nodes);
        }

        /// <summary>The nodes outside the chain that its statement reads: the leaves its formula reads and the graph.</summary>
        public static IEnumerable<int> Reads(LossIr ir, Chain chain)
        {
            var inside = new HashSet<int>(chain.Interior);
            var leaves = chain.Interior.Count == 0
                ? new[] { chain.Values }
                : chain.Interior.SelectMany(n => ir.Nodes[n].Args).Where(a => !inside.Contains(a));
            var graph = chain.Labels is { } labels ? new[] { labels.RowLabels, labels.ColumnLabels } : new[] { chain.Graph };
            return leaves.Concat(graph).Where(a => ir.Nodes[a].Kind != ValueKind.Number).Distinct();
        }

        /// <summary>Whether argument <paramref name="k"/> can be read at a pair: a number, a 0-d value, a row or a
        /// column vector, or a relation of the chain's dimensions (or one that broadcasts to them).</summary>
        private static bool Readable(LossIr ir, IrTypes types, IrNode node, int k, IReadOnlyList<string> dims)
        {
            var arg = node.Args[k];
            if (ir.Nodes[arg].Kind == ValueKind.Number) return true;
            var map = types.Alignment(node.Id, k);
            if (map is not null) return map.Length == 1 && types.Rank(arg) == 1;
            return types.Rank(arg) == 0 || Broadcasts(types.Of(arg), dims);
        }

        /// <summary>Whether a value of dimensions <paramref name="value"/> is a relation of <paramref name="dims"/>, or
        /// broadcasts to one along axes of size 1 (<c>v.PerRow()</c> is <c>[N, 1]</c>).</summary>
        private static bool Broadcasts(IReadOnlyList<string> value, IReadOnlyList<string> dims) =>
            value.Count == dims.Count && value.Zip(dims, (v, d) => v == d || TypeInference.IsLiteral(v, out var size) && size == 1).All(ok => ok);
    }
}
