using System.Collections.Generic;
using System.Linq;
using LossDsl.Ir;

namespace LossDsl.Generators
{
    /// <summary>When a local of a generated <c>Compute</c> is read for the last time, so that the emitter can release
    /// its tensor there instead of at the end of the dispose scope. Without it every N×N intermediate of the unfused
    /// path stays resident until <c>Compute</c> returns, and the forward's peak is the sum of them all (NT-Xent at 8,192
    /// rows: 13 N×N tensors). Releasing a handle is safe for autograd: libtorch keeps what the backward pass saved.
    /// <para>Three rules keep it safe where run-time values share memory: a value read by a holder (a masked relation,
    /// triplets, a matching: objects that keep their arguments) lives as long as the holder; holders, and tensors
    /// computed from a holder (which may be its internals), are never released; and the emitted call
    /// (<c>Lifetimes.Release</c>) receives the related values still in use, and keeps the tensor when it is one of them
    /// (an operation may return its argument as is).</para></summary>
    internal static class Lifetimes
    {
        /// <summary>One emitted statement: the node it defines and the nodes it reads.</summary>
        internal readonly struct Statement
        {
            public Statement(int defines, IEnumerable<int> reads)
            {
                Defines = defines;
                Reads = reads.Distinct().ToArray();
            }

            public int Defines { get; }
            public int[] Reads { get; }
        }

        /// <summary>Whether the run-time value of <paramref name="kind"/> is an object that keeps its arguments.</summary>
        public static bool IsHolder(ValueKind kind) => kind is ValueKind.Masked or ValueKind.Triplets or ValueKind.Matching;

        /// <summary>Whether a node's tensor may be released once it is no longer read: a computed tensor (not an
        /// input, number or holder) that is not read from a holder.</summary>
        public static bool Releasable(LossIr ir, IrNode node) =>
            node.Op != OpCode.Input && node.Kind != ValueKind.Number && !IsHolder(node.Kind)
            && !node.Args.Any(a => IsHolder(ir.Nodes[a].Kind));

        /// <summary>For each of <paramref name="count"/> statements, the candidates whose last read
        /// (<see cref="LastReads"/>) it is. Candidates never read are not released (they are results).</summary>
        public static List<int>[] Plan(IReadOnlyDictionary<int, int> last, int count, ISet<int> candidates)
        {
            var plan = new List<int>[count];
            for (var s = 0; s < plan.Length; s++) plan[s] = new List<int>();
            foreach (var pair in last.Where(p => candidates.Contains(p.Key)).OrderBy(p => p.Key)) plan[pair.Value].Add(pair.Key);
            return plan;
        }

        /// <summary>Each read node's last read, by statement index (a holder's reads extended to the holder's own last
        /// read).</summary>
        public static Dictionary<int, int> LastReads(LossIr ir, IReadOnlyList<Statement> statements)
        {
            var last = new Dictionary<int, int>();
            // From the end: a holder's own last read is known before the statement that defines it.
            for (var s = statements.Count - 1; s >= 0; s--)
            {
                var defined = statements[s].Defines;
                var until = s;
                if (IsHolder(ir.Nodes[defined].Kind) && last.TryGetValue(defined, out var holderLast)) until = System.Math.Max(until, holderLast);
                foreach (var read in statements[s].Reads)
                    last[read] = last.TryGetValue(read, out var seen) ? System.Math.Max(seen, until) : until;
            }
            return last;
        }

        /// <summary>Nodes whose run-time value may be the same object as <paramref name="node"/>'s: its ancestors and
        /// descendants, and every kind conversion (<c>As</c>, which returns its argument) of the same source — sibling
        /// views such as <c>c.AsProbs()</c> and <c>c.AsLogits()</c> are neither ancestors nor descendants of each other.</summary>
        public static HashSet<int> Related(LossIr ir, int node)
        {
            var related = new HashSet<int>();
            var stack = new Stack<int>(ir.Nodes[node].Args);
            while (stack.Count > 0)
            {
                var id = stack.Pop();
                if (related.Add(id)) foreach (var a in ir.Nodes[id].Args) stack.Push(a);
            }
            var descendants = new HashSet<int> { node };
            foreach (var n in ir.Nodes.Where(n => n.Id > node))
                if (n.Args.Any(descendants.Contains)) descendants.Add(n.Id);
            related.UnionWith(descendants);
            // The source of node's object, then every As view of it (transitively).
            var source = node;
            while (ir.Nodes[source].Op == OpCode.As && ir.Nodes[source].Args.Count == 1) source = ir.Nodes[source].Args[0];
            var views = new HashSet<int> { source };
            foreach (var n in ir.Nodes.Where(n => n.Id > source))
                if (n.Op == OpCode.As && n.Args.Count == 1 && views.Contains(n.Args[0])) views.Add(n.Id);
            related.UnionWith(views);
            related.Remove(node);
            return related;
        }
    }
}
