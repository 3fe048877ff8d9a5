using System.Collections.Generic;
using System.Linq;

namespace LossDsl.Ir
{
    /// <summary>What run time must check of one input: its rank and each dimension as a symbol.
    /// Symbols shared between inputs must take one value.</summary>
    /// <param name="DimReasons">Per dimension: why it is tied to another input's ("" if not).</param>
    public sealed record InputCheck(string Input, ValueKind Kind, string Term, EquatableArray<string> Dims, EquatableArray<string> DimReasons);

    /// <summary>Labels used as class indices must lie in <c>[0, ClassDim)</c>.</summary>
    public sealed record LabelRangeCheck(string Labels, string Term, string ClassDim);

    /// <summary>Everything <c>Compute</c> validates before it computes.</summary>
    public sealed record ShapePlan(EquatableArray<InputCheck> Inputs, EquatableArray<LabelRangeCheck> LabelRanges);

    /// <summary>Infers symbolic shapes over the DAG: each input starts with its kind's template
    /// (<c>Logits [N, C_name]</c>, <c>Embeddings [N, D_name]</c>, ...); operations that need equal
    /// dimensions unify the symbols. The result is the run-time validation plan.</summary>
    public static class ShapeInference
    {
        public const string Batch = "N";

        public static string[] Template(string input, ValueKind kind) => kind switch
        {
            ValueKind.Logits or ValueKind.Probs or ValueKind.LogProbs => new[] { Batch, "C_" + input },
            ValueKind.Embeddings => new[] { Batch, "D_" + input },
            ValueKind.Vector or ValueKind.Labels => new[] { Batch },
            _ => new string[0],
        };

        public static ShapePlan Infer(LossIr ir)
        {
            var sets = new UnionFind();
            var shapes = new string[ir.Nodes.Count][];
            var firstTerm = FirstTermOfNodes(ir);
            var ranges = new List<LabelRangeCheck>();

            foreach (var node in ir.Nodes)
            {
                string[] S(int i) => shapes[node.Args[i]] ?? new string[0];
                var why = $"{node.Op} in term '{firstTerm[node.Id]}'";
                void Same(string[] a, string[] b)
                {
                    for (var d = 0; d < System.Math.Min(a.Length, b.Length); d++) sets.Union(a[d], b[d], why);
                }

                shapes[node.Id] = node.Op switch
                {
                    OpCode.Input => Template(node.Name, node.Kind),
                    OpCode.Hyper or OpCode.Const => new string[0],
                    OpCode.Add or OpCode.Sub or OpCode.Mul or OpCode.Div => Broadcast(S(0), S(1), Same),
                    OpCode.RowNorm or OpCode.RowSum or OpCode.RowMean or OpCode.RowLogSumExp
                        or OpCode.RowMax or OpCode.RowMin => new[] { S(0)[0] },
                    OpCode.CrossEntropy => CrossEntropy(ir, node, S(0), S(1), Same, ranges, firstTerm[node.Id]),
                    OpCode.KL or OpCode.Mse or OpCode.SmoothL1 => Then(() => Same(S(0), S(1)), new string[0]),
                    OpCode.Mean or OpCode.Sum or OpCode.MeanNonZero => new string[0],
                    OpCode.Pairwise => Then(() => Same(new[] { S(0)[1] }, new[] { S(1)[1] }), new[] { S(0)[0], S(1)[0] }),
                    OpCode.SameLabel or OpCode.DifferentLabel => new[] { S(0)[0], S(0)[0] },
                    OpCode.AllPairs => new[] { Batch, Batch },
                    OpCode.Over => Then(() => Same(S(0), S(1)), S(0)),
                    OpCode.Triplets => Then(() => { Same(S(0), S(1)); Same(S(0), S(2)); Same(new[] { S(0)[0] }, new[] { S(0)[1] }); },
                        new[] { S(0)[0], S(0)[0], S(0)[0] }),
                    _ => node.Args.Count > 0 ? S(0) : new string[0],
                };
            }

            // Each set of equal dimensions is named after its symbol in the earliest input (signature order),
            // so messages read "C_student" when student comes first.
            var names = new Dictionary<string, string>();
            foreach (var symbol in ir.Inputs.SelectMany(i => Template(i.Name, i.Kind)))
                if (!names.ContainsKey(sets.Find(symbol))) names[sets.Find(symbol)] = symbol;
            string Name(string symbol) => names.TryGetValue(sets.Find(symbol), out var n) ? n : sets.Find(symbol);

            var inputs = ir.Inputs.Select(input =>
            {
                var template = Template(input.Name, input.Kind);
                return new InputCheck(
                    input.Name, input.Kind, input.FirstTerm,
                    template.Select(Name).ToEquatableArray(),
                    template.Select(s => Name(s) == s ? "" : sets.Reason(s)).ToEquatableArray());
            });
            var labelRanges = ranges
                .Select(r => r with { ClassDim = Name(r.ClassDim) })
                .Distinct();
            return new ShapePlan(inputs.ToEquatableArray(), labelRanges.ToEquatableArray());
        }

        private static string[] Then(System.Action unify, string[] shape)
        {
            unify();
            return shape;
        }

        private static string[] Broadcast(string[] a, string[] b, System.Action<string[], string[]> same)
        {
            if (a.Length == 0) return b;
            if (b.Length == 0) return a;
            // [N, M] ⊕ [N] broadcasts the vector along rows.
            if (a.Length != b.Length) { same(new[] { a[0] }, new[] { b[0] }); return a.Length > b.Length ? a : b; }
            same(a, b);
            return a;
        }

        private static string[] CrossEntropy(LossIr ir, IrNode node, string[] logits, string[] labels,
            System.Action<string[], string[]> same, List<LabelRangeCheck> ranges, string term)
        {
            same(new[] { logits[0] }, labels);
            var labelInput = InputUnder(ir, node.Args[1]);
            if (labelInput is not null && logits.Length == 2) ranges.Add(new LabelRangeCheck(labelInput, term, logits[1]));
            return new string[0];
        }

        /// <summary>The input a labels argument reads (through stop-gradients), if any.</summary>
        private static string? InputUnder(LossIr ir, int id)
        {
            var node = ir.Nodes[id];
            while (node.Op == OpCode.StopGradient) node = ir.Nodes[node.Args[0]];
            return node.Op == OpCode.Input ? node.Name : null;
        }

        /// <summary>For each node, the first term (in declaration order) that reaches it.</summary>
        public static string[] FirstTermOfNodes(LossIr ir)
        {
            var first = new string[ir.Nodes.Count];
            foreach (var term in ir.Terms)
            {
                var stack = new Stack<int>();
                stack.Push(term.Root);
                while (stack.Count > 0)
                {
                    var id = stack.Pop();
                    if (first[id] is not null) continue;
                    first[id] = term.Name;
                    foreach (var a in ir.Nodes[id].Args) stack.Push(a);
                }
            }
            for (var i = 0; i < first.Length; i++) first[i] ??= "";
            return first;
        }

        /// <summary>Union-find over dimension symbols; the older symbol names the merged set.</summary>
        private sealed class UnionFind
        {
            private readonly Dictionary<string, string> _parent = new();
            private readonly Dictionary<string, string> _reason = new();

            public string Find(string s)
            {
                if (!_parent.TryGetValue(s, out var p)) return s;
                var root = Find(p);
                _parent[s] = root;
                return root;
            }

            public string Reason(string s) => _reason.TryGetValue(s, out var r) ? r : "";

            public void Union(string a, string b, string why)
            {
                var ra = Find(a);
                var rb = Find(b);
                if (ra == rb) return;
                // The batch symbol, then the symbol seen first, names the merged set.
                if (rb == Batch) (ra, rb) = (rb, ra);
                _parent[rb] = ra;
                foreach (var symbol in new[] { a, b, ra, rb })
                    if (!_reason.ContainsKey(symbol)) _reason[symbol] = why;
            }
        }
    }
}
