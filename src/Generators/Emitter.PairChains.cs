using System.Collections.Generic;
using System.Linq;
using LossDsl.Ir;

namespace LossDsl.Generators
{
    internal static partial class Emitter
    {
        /// <summary>The nodes computed inside the chains' lambdas (a block emits no statement of its own for them).</summary>
        private static HashSet<int> ChainInteriors(Dictionary<int, PairChains.Chain> chains) =>
            new(chains.Values.SelectMany(c => c.Interior.Concat(c.Labels?.Nodes ?? System.Array.Empty<int>())));

        /// <summary>A masked relation whose values are an element-wise formula (<see cref="PairChains"/>):
        /// <c>Ops.OverPairs(graph, pairs => formula)</c>, the formula's statements as usual but for how they read the
        /// values outside it (<c>pairs.At</c>, <c>pairs.Row</c>, <c>pairs.Column</c>).</summary>
        /// <param name="inScope">Whether a node outside the chain is in scope (and assigned) at the chain's statement.</param>
        private static void EmitChain(IndentedWriter w, NodeNames names, PairChains.Chain chain, System.Func<int, bool> inScope, bool declare = true)
        {
            var ir = names.Ir;
            var over = ir.Nodes[chain.Over];
            var root = names.Var(chain.Over);
            // A graph given as labels has no local of its own: the comment spells it out.
            var comment = $"// {root} = {IrPrinter.Format(over, over.Args.Select(a => chain.Labels is not null && a == chain.Graph ? IrPrinter.Formula(ir, a) : names.Comment(a)).ToArray())}";
            // A same-label graph only this chain reads goes as its labels: its pairs are listed from them, no N×M mask.
            var graph = chain.Labels is { } labels
                ? $"{Ops}.SameLabelPairs({names.Readable(labels.RowLabels)}, {names.Readable(labels.ColumnLabels)}, excludeSelf: {(labels.ExcludeSelf ? "true" : "false")})"
                : names.Readable(chain.Graph);
            var pairs = chain.Labels is null ? $"the pairs {names.Var(chain.Graph)} selects" : "its pairs (listed from the labels)";
            var call = $"{(declare ? "var " : "")}{root} = {Ops}.OverPairs({graph}, __pairs =>";
            if (chain.Interior.Count == 0)
            {
                w.Line($"{comment}, read at {pairs} when they are few (else at every pair)");
                w.Line($"{call} __pairs.At({names.Readable(chain.Values)}));");
                return;
            }
            w.Line($"{comment}: the formula computing {string.Join(", ", chain.Interior.Select(names.Var))} at {pairs} " +
                   "when they are few, else at every pair");
            w.Line(call);
            using (w.Block(close: "});"))
            {
                var statements = chain.Interior.Select(id => new Lifetimes.Statement(id, Reads(ir, ir.Nodes[id]))).ToList();
                var candidates = chain.Interior.Where(id => id != chain.Values && Lifetimes.Releasable(ir, ir.Nodes[id]));
                var releases = new ReleaseScope(ir, names, statements, candidates, outer: inScope);
                for (var k = 0; k < chain.Interior.Count; k++)
                {
                    var node = ir.Nodes[chain.Interior[k]];
                    w.Line($"// {names.Var(node.Id)} = {IrPrinter.Format(node, node.Args.Select(names.Comment).ToArray())}");
                    var code = node.Op switch
                    {
                        // An explicit v.PerRow() / v.PerColumn(): the vector read at the pairs' rows or columns.
                        OpCode.PerRow => $"__pairs.Row({names.Readable(node.Args[0])})",
                        OpCode.PerColumn => $"__pairs.Column({names.Readable(node.Args[0])})",
                        _ => Code(names, node, arg => ReadAtPairs(names, arg, chain)),
                    };
                    w.Line($"var {names.Var(node.Id)} = {code};");
                    releases.EmitReleases(w, k);
                }
                w.Line($"return {names.Var(chain.Values)};");
            }
        }

        /// <summary>How a formula statement inside a chain reads a node argument (null: as usual, for the chain's own
        /// locals, numbers and 0-d values).</summary>
        private static string? ReadAtPairs(NodeNames names, NodeArg arg, PairChains.Chain chain)
        {
            if (chain.Interior.Contains(arg.Node) || names.Types.Rank(arg.Node) == 0) return null;
            var value = names.Readable(arg.Node);
            if (arg.Alignment.Count == 1 && arg.Rank == 2) return arg.Alignment[0] == 0 ? $"__pairs.Row({value})" : $"__pairs.Column({value})";
            return $"__pairs.At({value})";
        }
    }
}
