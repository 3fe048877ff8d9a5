using System.Collections.Generic;
using System.Linq;
using LossDsl.Ir;

namespace LossDsl.Generators.Fusion
{
    /// <summary>Finds the fused regions of a loss (see docs/kernels.md, "What fuses"). A pair region is a
    /// reduction over a relation that one call of the runtime's pairwise engine computes without an N×M tensor:
    /// <code>Reduce(Over(R, G))   or   Reduce(R)</code>
    /// with Reduce one of RowLogSumExp, RowMax, RowMin, RowSum, RowMean, Sum, Mean, MeanNonZero; G a graph the
    /// engine has a mask for (AllPairs, SameLabel and DifferentLabel on one or two label vectors, OtherView, any of
    /// them under ExcludeSelf; the class graph ClassOf(y), transposed or negated, as labels against the class ids); and R an element-wise tree (<see cref="ScalarForms"/>) whose leaves are one
    /// <c>Pairwise(x, y, metric)</c> (dot, cosine, Euclidean, squared Euclidean; rows × features operands), at most
    /// one more pairwise relation that receives no gradient (under <c>Frozen</c>), host numbers, and up to two
    /// per-row and two per-column values (vectors, or 0-d values broadcast). Two patterns have kernels of their
    /// own: RKD's angle loss and the all-triplets margin loss (<see cref="FusionPatterns"/>).</summary>
    internal static class FusionPlanner
    {
        private static readonly Dictionary<OpCode, (string Reduce, string Output)> Reductions = new()
        {
            [OpCode.RowLogSumExp] = ("LogSumExp", "Rows"),
            [OpCode.RowMax] = ("Max", "Rows"),
            [OpCode.RowMin] = ("Min", "Rows"),
            [OpCode.RowSum] = ("Sum", "Rows"),
            [OpCode.RowMean] = ("Sum", "RowMean"),
            [OpCode.Sum] = ("Sum", "Sum"),
            [OpCode.Mean] = ("Sum", "Mean"),
            [OpCode.MeanNonZero] = ("Sum", "MeanNonZero"),
        };

        /// <summary>The engine's metrics.</summary>
        private static readonly HashSet<Metric> Metrics = new() { Metric.Dot, Metric.Cosine, Metric.Euclidean, Metric.SqEuclidean };

        /// <summary>The regions of <paramref name="ir"/>, ordered by root id.</summary>
        public static EquatableArray<FusedRegion> Plan(LossIr ir)
        {
            var types = TypeInference.Infer(ir);
            if (types.Errors.Count > 0) return EquatableArray<FusedRegion>.Empty;
            var users = Users(ir);
            var termRoots = new HashSet<int>(ir.Terms.Select(t => t.Root));
            var regions = new List<FusedRegion>();
            foreach (var node in ir.Nodes)
            {
                var members = new List<int>();
                var region = Reductions.ContainsKey(node.Op) ? MatchPairs(ir, types, node, members) : null;
                region ??= FusionPatterns.Match(ir, types, node, members);
                if (region is null) continue;
                regions.Add(region with { Interior = Interior(node.Id, members, users, termRoots) });
            }
            return regions.ToEquatableArray();
        }

        /// <summary>The pair region rooted at <paramref name="root"/>, or null if it is not one;
        /// <paramref name="members"/> gets the nodes between the root and the region's operands.</summary>
        private static FusedRegion? MatchPairs(LossIr ir, IrTypes types, IrNode root, List<int> members)
        {
            if (root.Attr is not null || root.Args.Count != 1) return null;   // named axes: a batched reduction
            var (reduce, output) = Reductions[root.Op];
            var argument = ir.Nodes[root.Args[0]];
            IrNode relation;
            Graph graph;
            if (argument.Op == OpCode.Over)
            {
                members.Add(argument.Id);
                relation = ir.Nodes[argument.Args[0]];
                var matched = MatchGraph(ir, ir.Nodes[argument.Args[1]], members);
                if (matched is null) return null;
                graph = matched;
            }
            else if (argument.Kind == ValueKind.Relation)
            {
                relation = argument;
                graph = new Graph("AllPairs", false, -1, -1);
            }
            else return null;
            if (types.Rank(relation.Id) != 2) return null;

            var formula = new FormulaBuilder(ir, types, members);
            var f = formula.Translate(relation.Id, -1, -1);
            if (f is null || !formula.Resolve(out var main, out var second)) return null;
            if (graph.Kind == "OtherView" && main.Args[0] != main.Args[1]) return null;

            var self = main.Args[0] == main.Args[1];
            var region = new FusedRegion(root.Id, RegionShape.Pairs, EquatableArray<int>.Empty)
            {
                Reduce = reduce,
                Output = output,
                X = main.Args[0],
                Y = self ? -1 : main.Args[1],
                Metric = main.Metric,
                Graph = graph.Kind,
                ExcludeSelf = graph.ExcludeSelf,
                RowLabels = graph.RowLabels,
                ColumnLabels = graph.ColumnLabels,
                RowClassOf = graph.RowClassOf,
                ColumnClassOf = graph.ColumnClassOf,
                Formula = PositivePart(output, f.Substitute(a => a == formula.MainLeaf ? FormulaSymbols.S : a == formula.SecondLeaf ? FormulaSymbols.S2 : null).Simplify()),
                RowValues = formula.RowValues.ToEquatableArray(),
                ColumnValues = formula.ColumnValues.ToEquatableArray(),
                Numbers = formula.Numbers.ToEquatableArray(),
            };
            if (second is not null)
            {
                // The engine's second relation is a self relation exactly when the first is (Ops.Pairwise zeroes
                // a self relation's diagonal; the engine does so for both or neither).
                var secondSelf = second.Args[0] == second.Args[1];
                if (secondSelf != self) return null;
                region = region with { X2 = second.Args[0], Y2 = secondSelf ? -1 : second.Args[1], Metric2 = second.Metric };
            }
            return Unnormalized(ir, types, region);
        }

        /// <summary>A dot product of rows normalised for it, <c>⟨normalize(a)_i, normalize(b)_j⟩</c>, is the cosine of a and
        /// b: the run time normalises the rows inside the fused call (the CPU bridge's unit rows, <c>CosineRows</c>, with
        /// the normalisation's backward in O(N·D)), so the fused path runs neither libtorch's normalize nor its backward
        /// (a dozen small operations, about 0.3 ms of a 512-row NT-Xent step), and where nothing else reads
        /// <c>normalize(a)</c> it is computed only unfused. The values are the same up to rounding; a zero row has
        /// cosine 0 and no gradient either way.</summary>
        private static FusedRegion Unnormalized(LossIr ir, IrTypes types, FusedRegion region)
        {
            if (region.Metric != Metric.Dot || !IsRowNormalize(ir, types, region.X) || (region.Y >= 0 && !IsRowNormalize(ir, types, region.Y)))
                return region;
            return region with
            {
                X = ir.Nodes[region.X].Args[0],
                Y = region.Y >= 0 ? ir.Nodes[region.Y].Args[0] : -1,
                Metric = Metric.Cosine,
            };
        }

        private static bool IsRowNormalize(LossIr ir, IrTypes types, int id) =>
            ir.Nodes[id] is { Op: OpCode.Normalize, Attr: null, Args.Count: 1 } node && types.Rank(node.Args[0]) == 2;

        /// <summary>The engine's MeanNonZero sums every kept pair and counts those &gt; 0; <c>Ops.MeanNonZero</c> averages
        /// the entries &gt; 0 only. They agree when f ≥ 0 (hinges, the reducer's use); otherwise the kernel sums
        /// <c>max(f, 0)</c>, which is f on the entries it counts and 0 (no gradient) elsewhere, NaN kept.</summary>
        private static PairFormula PositivePart(string output, PairFormula f) =>
            output != "MeanNonZero" || IsNonNegative(f) ? f : PairFormula.Max(f, PairFormula.Zero);

        private static bool IsNonNegative(PairFormula f) => f switch
        {
            Constant c => c.Value >= 0,
            Unary u => u.Op is UnaryOp.Exp or UnaryOp.Sqrt or UnaryOp.Softplus or UnaryOp.Sigmoid or UnaryOp.Relu or UnaryOp.Square
                or UnaryOp.Abs or UnaryOp.Step || (u.Op == UnaryOp.StopGradient && IsNonNegative(u.Arg)),
            Binary { Op: BinaryOp.Max } b => IsNonNegative(b.Left) || IsNonNegative(b.Right),
            Binary { Op: BinaryOp.Add or BinaryOp.Mul or BinaryOp.Min } b => IsNonNegative(b.Left) && IsNonNegative(b.Right),
            _ => false,
        };

        /// <summary>A graph the engine has a mask for. A side whose <c>…ClassOf</c> is a node id has no label node: its
        /// labels are the class ids 0 … C−1 of that <c>ClassOf(y)</c> node ([N, C]: the pairs (i, y_i)).</summary>
        internal sealed record Graph(string Kind, bool ExcludeSelf, int RowLabels, int ColumnLabels, int RowClassOf = -1, int ColumnClassOf = -1)
        {
            /// <summary>The graph with rows and columns swapped.</summary>
            public Graph Transposed()
            {
                var t = this with { RowLabels = ColumnLabels, ColumnLabels = RowLabels, RowClassOf = ColumnClassOf, ColumnClassOf = RowClassOf };
                return t.RowLabels >= 0 && t.ColumnLabels == t.RowLabels ? t with { ColumnLabels = -1 } : t;
            }
        }

        /// <summary>The mask of <paramref name="graph"/>, or null; <paramref name="members"/> gets its nodes.</summary>
        internal static Graph? MatchGraph(LossIr ir, IrNode graph, List<int> members)
        {
            members.Add(graph.Id);
            switch (graph.Op)
            {
                case OpCode.ExcludeSelf:
                    return MatchGraph(ir, ir.Nodes[graph.Args[0]], members) is { } inner ? inner with { ExcludeSelf = true } : null;
                case OpCode.AllPairs:
                    return new Graph("AllPairs", false, -1, -1);
                case OpCode.OtherView:
                    return new Graph("OtherView", false, -1, -1);
                case OpCode.SameLabel or OpCode.DifferentLabel:
                    return new Graph(graph.Op.ToString(), false, graph.Args[0], graph.Args.Count > 1 && graph.Args[1] != graph.Args[0] ? graph.Args[1] : -1);
                // [j = y_i]: the same label with the class ids as column labels. A row whose label is the ignore index has
                // no pair: so with the engine's labels only when that index is no class id (below 0, as −100).
                case OpCode.ClassOf when RuntimeCalls.IgnoreOf(ir, graph.Args[0]) is null or < 0:
                    return new Graph("SameLabel", false, graph.Args[0], -1, ColumnClassOf: graph.Id);
                // Proxy-Anchor's members of each proxy (the dropped diagonal is its own transpose); the other-view pairing
                // is not transposed (odd batches).
                case OpCode.Transpose when graph.Attr is null:
                    return MatchGraph(ir, ir.Nodes[graph.Args[0]], members) is { Kind: not "OtherView" } transposed ? LabelsOnBothSides(transposed).Transposed() : null;
                // ¬G of a label graph without its diagonal dropped (¬(G ∖ self) keeps the diagonal: no mask for that).
                case OpCode.Not:
                    return MatchGraph(ir, ir.Nodes[graph.Args[0]], members) switch
                    {
                        { Kind: "SameLabel", ExcludeSelf: false } g => g with { Kind = "DifferentLabel" },
                        { Kind: "DifferentLabel", ExcludeSelf: false } g => g with { Kind = "SameLabel" },
                        _ => null,
                    };
                default:
                    return null;
            }
        }

        /// <summary>A graph whose column labels are written out: -1 means "the row labels" only while rows and columns
        /// stay where they are.</summary>
        private static Graph LabelsOnBothSides(Graph g) =>
            g.RowLabels >= 0 && g.ColumnLabels < 0 && g.ColumnClassOf < 0 ? g with { ColumnLabels = g.RowLabels } : g;

        /// <summary>Translates a relation's element-wise tree into a <see cref="PairFormula"/>, collecting its
        /// leaves: pairwise relations (placeholders until <see cref="Resolve"/> picks the main one), host numbers,
        /// row and column values.</summary>
        private sealed class FormulaBuilder
        {
            private readonly LossIr _ir;
            private readonly IrTypes _types;
            private readonly List<int> _members;
            private readonly List<IrNode> _pairwise = new();

            public FormulaBuilder(LossIr ir, IrTypes types, List<int> members)
            {
                _ir = ir;
                _types = types;
                _members = members;
            }

            public List<int> RowValues { get; } = new();
            public List<int> ColumnValues { get; } = new();
            public List<NumberField> Numbers { get; } = new();
            public Symbol? MainLeaf { get; private set; }
            public Symbol? SecondLeaf { get; private set; }

            private static Symbol Placeholder(int node) => new("pairwise" + node, "pairwise" + node, FormulaScope.Pair);

            /// <summary>The formula of node <paramref name="id"/>, argument <paramref name="arg"/> of
            /// <paramref name="parent"/> (-1 for the relation itself); null if it cannot be fused.</summary>
            public PairFormula? Translate(int id, int parent, int arg)
            {
                var node = _ir.Nodes[id];
                switch (node.Kind)
                {
                    case ValueKind.Number:
                        if (node.Op == OpCode.Const && node.NumericType == NumericType.Double) return PairFormula.Const(node.Number);
                        return FormulaSymbols.Number(NumberField(node));
                    case ValueKind.Vector:
                    case ValueKind.Real:
                        return Value(node, parent, arg);
                    case ValueKind.Relation:
                        break;
                    default:
                        return null;
                }
                _members.Add(id);
                if (node.Op == OpCode.Pairwise)
                {
                    if (!Metrics.Contains(node.Metric) || node.Args.Any(a => _types.Rank(a) != 2)) return null;
                    var same = _pairwise.FirstOrDefault(p => p.Args.Equals(node.Args) && p.Metric == node.Metric);
                    if (same is null) _pairwise.Add(node);
                    return Placeholder((same ?? node).Id);
                }
                // v_i and v_j written out (LiftedStructure's LogAddExp(n.PerRow(), n.PerColumn())).
                if (node.Op is OpCode.PerRow or OpCode.PerColumn && node.Args.Count == 1)
                    return Value(_ir.Nodes[node.Args[0]], perColumn: node.Op == OpCode.PerColumn);
                if (ScalarForms.Unary.TryGetValue(node.Op, out var unary) && node.Args.Count == 1)
                {
                    var a = Translate(node.Args[0], id, 0);
                    return a is null ? null : PairFormula.Apply(unary, a);
                }
                if (ScalarForms.Binary.TryGetValue(node.Op, out var binary) && node.Args.Count == 2)
                {
                    var left = Translate(node.Args[0], id, 0);
                    var right = left is null ? null : Translate(node.Args[1], id, 1);
                    return right is null ? null : new Binary(binary, left!, right);
                }
                return null;
            }

            /// <summary>A vector aligned with the rows or the columns, or a 0-d value (broadcast as a row value).</summary>
            private PairFormula? Value(IrNode node, int parent, int arg)
            {
                if (parent < 0) return null;
                var perColumn = false;
                if (node.Kind == ValueKind.Vector)
                {
                    if (_types.Alignment(parent, arg) is not { Length: 1 } map) return null;
                    perColumn = map[0] == 1;
                }
                else if (_types.Rank(node.Id) != 0) return null;
                return Value(node, perColumn);
            }

            private PairFormula? Value(IrNode node, bool perColumn)
            {
                if (node.Kind is not (ValueKind.Vector or ValueKind.Real) || _types.Rank(node.Id) > 1) return null;
                var list = perColumn ? ColumnValues : RowValues;
                var index = list.IndexOf(node.Id);
                if (index < 0)
                {
                    if (list.Count == 2) return null;   // the engine reads two of each
                    list.Add(node.Id);
                    index = list.Count - 1;
                }
                return perColumn ? FormulaSymbols.Columns[index] : FormulaSymbols.Rows[index];
            }

            /// <summary>The struct field of a number: the hyper-parameter's name, or c0, c1, ….</summary>
            private string NumberField(IrNode node)
            {
                var existing = Numbers.FirstOrDefault(n => n.Node == node.Id);
                if (existing is not null) return existing.Field;
                var name = node.Op == OpCode.Hyper ? node.Name : "c" + Numbers.Count(n => n.Field.StartsWith("c", System.StringComparison.Ordinal));
                // Not a C# keyword (a hyper-parameter @double), the formula methods' type parameters (T, M), parameter
                // (p) or locals (t0, t1, …, which would shadow the field), nor a name already taken.
                while (Numbers.Any(n => n.Field == name) || IsReservedField(name)) name += "_";
                Numbers.Add(new NumberField(node.Id, name));
                return name;
            }

            private static bool IsReservedField(string name) =>
                name is "T" or "M" or "p" or "Value" or "Partials"
                || Emitter.Id(name) != name
                || (name.Length > 1 && name[0] == 't' && name.Skip(1).All(char.IsDigit));

            /// <summary>Picks the relation the engine differentiates (s) and the one it does not (s2): one pairwise
            /// relation, or two of which one receives no gradient.</summary>
            public bool Resolve(out IrNode main, out IrNode? second)
            {
                main = null!;
                second = null;
                if (_pairwise.Count == 1) main = _pairwise[0];
                else if (_pairwise.Count == 2)
                {
                    var frozen = _pairwise.Where(p => IsGradientFree(_ir, p.Id)).ToList();
                    if (frozen.Count == 0) return false;
                    var frozenOne = frozen.Last();
                    second = frozenOne;
                    main = _pairwise.First(p => p != frozenOne);
                }
                else return false;
                MainLeaf = Placeholder(main.Id);
                SecondLeaf = second is null ? null : Placeholder(second.Id);
                return true;
            }
        }

        /// <summary>Whether no gradient can flow from node <paramref name="id"/> to an input: every path passes
        /// a StopGradient (<c>Frozen</c>), or ends in labels, indices or numbers.</summary>
        public static bool IsGradientFree(LossIr ir, int id)
        {
            var node = ir.Nodes[id];
            if (node.Op == OpCode.StopGradient || node.Kind == ValueKind.Number) return true;
            if (node.Op == OpCode.Input) return OpCatalog.IsInteger(node.Kind);
            return node.Args.Count > 0 && node.Args.All(a => IsGradientFree(ir, a));
        }

        /// <summary>The members whose every use lies inside the region (the root or other interior
        /// members) and that no term returns: the fused path never computes them. Users always have
        /// larger ids, so one pass in decreasing id order settles each member after its users.</summary>
        private static EquatableArray<int> Interior(int root, List<int> members, List<int>[] users, HashSet<int> termRoots)
        {
            var interior = new SortedSet<int>();
            foreach (var id in members.Distinct().OrderByDescending(i => i))
            {
                if (termRoots.Contains(id) || id == root) continue;
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
