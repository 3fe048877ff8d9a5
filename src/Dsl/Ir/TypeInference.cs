using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace LossDsl.Ir
{
    /// <summary>A shape the IR cannot have: an operation whose arguments' dimensions cannot agree.</summary>
    /// <param name="Node">The node whose rule failed (the generator reports it on the syntax that built it).</param>
    public sealed record TypeError(int Node, string Message);

    /// <summary>What run time must check of one input: its rank and each dimension as a symbol (or a literal
    /// size). Symbols shared between inputs must take one value.</summary>
    /// <param name="DimReasons">Per dimension: why it is tied to another input's ("" if not).</param>
    public sealed record InputCheck(string Input, ValueKind Kind, string Term, EquatableArray<string> Dims, EquatableArray<string> DimReasons);

    /// <summary>Integer values of <see cref="Input"/> must lie in <c>[0, Dim)</c>, except entries equal to
    /// <see cref="Ignore"/> (labels a loss skips).</summary>
    /// <param name="What">What the values index ("class", "row of the table"), for messages.</param>
    /// <param name="Column">When only one column of an index tensor indexes <see cref="Dim"/> (the relation ids
    /// of knowledge-graph triples), that column; null for every entry.</param>
    public sealed record RangeCheck(string Input, string Term, string Dim, long? Ignore, string What, int? Column = null);

    /// <summary>A dimension made by splitting <see cref="Parent"/> into <see cref="Parts"/> equal parts: its size
    /// must be the parent's divided by the number of parts.</summary>
    public sealed record DerivedCheck(string Symbol, string Parent, int Parts, string Term);

    /// <summary>Everything <c>Compute</c> validates before it computes.</summary>
    public sealed record ShapePlan(EquatableArray<InputCheck> Inputs, EquatableArray<RangeCheck> Ranges, EquatableArray<DerivedCheck> Derived);

    /// <summary>The dimensions of every node of a loss, as symbols (<c>N</c>, <c>D_z</c>, <c>C</c>, <c>3</c>), the
    /// shape errors found, and the plan of run-time checks.</summary>
    public sealed class IrTypes
    {
        private readonly string[][] _shapes;
        private readonly Dictionary<(int node, int arg), int[]> _alignments;
        private readonly System.Func<string, string> _canonical;

        internal IrTypes(string[][] shapes, Dictionary<(int, int), int[]> alignments, List<TypeError> errors, ShapePlan plan,
            System.Func<string, string> canonical)
        {
            _shapes = shapes;
            _alignments = alignments;
            _canonical = canonical;
            Errors = errors;
            Plan = plan;
        }

        /// <summary>The symbol that names the set of <paramref name="symbol"/> (what <see cref="Of"/> shows).</summary>
        public string Canonical(string symbol) => _canonical(symbol);

        /// <summary>The dimension symbols of node <paramref name="id"/> (empty for numbers and 0-d values).</summary>
        public IReadOnlyList<string> Of(int id) => _shapes[id];

        /// <summary>The number of axes of node <paramref name="id"/>.</summary>
        public int Rank(int id) => _shapes[id].Length;

        /// <summary>Where the axes of argument <paramref name="arg"/> of a broadcasting node go in its result, when
        /// the argument has fewer axes than the result (or null: same rank, aligned by position).</summary>
        public int[]? Alignment(int node, int arg) => _alignments.TryGetValue((node, arg), out var map) ? map : null;

        /// <summary>Every shape error, in node order.</summary>
        public IReadOnlyList<TypeError> Errors { get; }

        /// <summary>What <c>Compute</c> validates.</summary>
        public ShapePlan Plan { get; }
    }

    /// <summary>Infers the dimensions of every node. Each input starts from the dimensions it declares
    /// (<c>[Dims("K", "D")]</c>) or its role's template (<c>Logits [N, C_name]</c>, <c>Embeddings [N, D_name]</c>,
    /// <c>Tokens [N, T_name, D_name]</c>, ...); operations that need equal dimensions unify their symbols.
    /// Declared symbols (and the batch symbol <c>N</c>) are rigid: two different ones never unify, which is a shape
    /// error the generator reports at compile time; template symbols take the name of what they unify with.
    /// Element-wise operations align arguments of equal rank by position (a literal 1 broadcasts) and an argument
    /// of lower rank by its symbols (a per-row vector against a relation, <c>[B, D]</c> against <c>[B, K, D]</c>).</summary>
    public static class TypeInference
    {
        /// <summary>The batch dimension every role's template starts with.</summary>
        public const string Batch = "N";

        /// <summary>The dimensions of an input: declared, or the role's template.</summary>
        public static string[] DimsOf(string input, ValueKind kind, EquatableArray<string> declared) =>
            declared.Count > 0 ? declared.ToArray() : Template(input, kind);

        /// <summary>A role's default dimensions for an input named <paramref name="input"/>.</summary>
        public static string[] Template(string input, ValueKind kind) => kind switch
        {
            ValueKind.Logits or ValueKind.Probs or ValueKind.LogProbs => new[] { Batch, "C_" + input },
            ValueKind.Embeddings => new[] { Batch, "D_" + input },
            ValueKind.Tokens => new[] { Batch, "T_" + input, "D_" + input },
            ValueKind.Indices => new[] { "E_" + input, "K_" + input },
            ValueKind.Boxes => new[] { Batch, "4" },
            ValueKind.Vector or ValueKind.Labels => new[] { Batch },
            _ => new string[0],
        };

        /// <summary>Whether a dimension symbol is a literal size ("3").</summary>
        public static bool IsLiteral(string symbol, out long size) =>
            long.TryParse(symbol, NumberStyles.None, CultureInfo.InvariantCulture, out size);

        public static IrTypes Infer(LossIr ir) => new Inference(ir).Run();

        private sealed class Inference
        {
            private readonly LossIr _ir;
            private readonly string[][] _shapes;
            private readonly string[] _firstTerm;
            private readonly SizeSets _sets;
            private readonly List<TypeError> _errors = new();
            private readonly Dictionary<(int, int), int[]> _alignments = new();
            private readonly List<RangeCheck> _ranges = new();
            private readonly List<DerivedCheck> _derived = new();
            private readonly Dictionary<string, string> _declaredBy = new();
            private int _fresh;

            public Inference(LossIr ir)
            {
                _ir = ir;
                _shapes = new string[ir.Nodes.Count][];
                _firstTerm = FirstTermOfNodes(ir);
                var rigid = new HashSet<string> { Batch };
                foreach (var node in ir.Nodes)
                    if (node.Attr is InputAttr { Dims.Count: > 0 } input)
                        foreach (var d in input.Dims)
                        {
                            rigid.Add(d);
                            if (!_declaredBy.ContainsKey(d)) _declaredBy[d] = input.Name;
                        }
                _sets = new SizeSets(rigid);
                // Input symbols name their sets before anything else does, in signature order.
                foreach (var input in ir.Inputs)
                {
                    var node = ir.Nodes.FirstOrDefault(n => n.Op == OpCode.Input && n.Name == input.Name);
                    if (node is null) continue;
                    foreach (var d in DimsOf(input.Name, input.Kind, ((InputAttr)node.Attr!).Dims)) _sets.Add(d);
                }
            }

            public IrTypes Run()
            {
                foreach (var node in _ir.Nodes) _shapes[node.Id] = Rule(node);
                CheckSizesAreKnown();
                var canonical = _shapes.Select(s => s.Select(_sets.Find).ToArray()).ToArray();
                return new IrTypes(canonical, _alignments, _errors, Plan(), _sets.Find);
            }

            private string Why(IrNode node) => $"{node.Op} in term '{_firstTerm[node.Id]}'";

            private string[] S(IrNode node, int arg) => _shapes[node.Args[arg]] ?? new string[0];

            private void Error(IrNode node, string message) => _errors.Add(new TypeError(node.Id, message));

            private string Fresh(string hint) => $"{hint}#{++_fresh}";

            /// <summary>Unifies two symbols for <paramref name="node"/>; a conflict is an error naming both.</summary>
            private void Unify(IrNode node, string a, string b, string what)
            {
                if (_sets.Union(a, b, Why(node))) return;
                Error(node, $"{node.Op} needs {what} to be equal, but {Show(a)} and {Show(b)} are different dimensions");
            }

            private string Show(string symbol)
            {
                var s = _sets.Find(symbol);
                if (IsLiteral(s, out _)) return s;
                return _declaredBy.TryGetValue(s, out var input) ? $"{s} (declared by '{input}')" : s;
            }

            private void UnifyAll(IrNode node, string[] a, string[] b, string what)
            {
                if (a.Length != b.Length)
                {
                    Error(node, $"{node.Op} needs {what} to have the same rank, but they are {Format(a)} and {Format(b)}");
                    return;
                }
                for (var d = 0; d < a.Length; d++) Unify(node, a[d], b[d], what);
            }

            private string Format(string[] shape) => "[" + string.Join(", ", shape.Select(_sets.Find)) + "]";

            private string[] Rule(IrNode node)
            {
                var info = OpCatalog.Get(node.Op);
                switch (info.Shape)
                {
                    case ShapeRule.Leaf:
                        return node.Attr is InputAttr input ? DimsOf(input.Name, node.Kind, input.Dims) : new string[0];
                    case ShapeRule.SameAsFirst:
                        return node.Args.Count > 0 ? S(node, 0) : new string[0];
                    case ShapeRule.ToReal:
                        return new string[0];
                    case ShapeRule.DropLast:
                        return DropAxes(node, S(node, 0));
                    case ShapeRule.Broadcast:
                        return Broadcast(node);
                    default:
                        return Custom(node);
                }
            }

            /// <summary>The shape without its last axis, or without the named axes of the node's <see cref="AxesAttr"/>.</summary>
            private string[] DropAxes(IrNode node, string[] shape)
            {
                if (node.Attr is AxesAttr { Axes.Count: > 0 } axes)
                {
                    var keep = shape.ToList();
                    foreach (var name in axes.Axes)
                    {
                        var at = keep.FindIndex(d => _sets.Find(d) == _sets.Find(name));
                        if (at < 0)
                        {
                            Error(node, $"{node.Op} over axis '{name}', but its argument has axes {Format(shape)}");
                            continue;
                        }
                        keep.RemoveAt(at);
                    }
                    return keep.ToArray();
                }
                if (shape.Length == 0)
                {
                    Error(node, $"{node.Op} reduces the last axis, but its argument has none");
                    return shape;
                }
                return shape.Take(shape.Length - 1).ToArray();
            }

            /// <summary>Element-wise over all arguments: equal ranks align by position (a literal 1 broadcasts);
            /// a lower-rank argument aligns each of its axes with the first unused axis of the result that has the
            /// same symbol, its last axis with the result's last axis if none has.</summary>
            private string[] Broadcast(IrNode node)
            {
                var widest = 0;
                for (var k = 1; k < node.Args.Count; k++)
                    if (S(node, k).Length > S(node, widest).Length) widest = k;
                var result = S(node, widest).ToArray();
                for (var k = 0; k < node.Args.Count; k++)
                {
                    var other = S(node, k);
                    if (k == widest || other.Length == 0) continue;
                    if (other.Length == result.Length) result = MergeSameRank(node, result, other);
                    else Align(node, k, other, result);
                }
                return result;
            }

            private string[] MergeSameRank(IrNode node, string[] a, string[] b)
            {
                var merged = new string[a.Length];
                for (var d = 0; d < a.Length; d++)
                {
                    if (IsOne(a[d])) merged[d] = b[d];
                    else if (IsOne(b[d])) merged[d] = a[d];
                    else
                    {
                        Unify(node, a[d], b[d], "the dimensions of its arguments");
                        merged[d] = a[d];
                    }
                }
                return merged;
            }

            private bool IsOne(string symbol) => _sets.Find(symbol) == "1";

            private void Align(IrNode node, int arg, string[] narrow, string[] wide)
            {
                var map = new int[narrow.Length];
                var used = new bool[wide.Length];
                for (var d = 0; d < narrow.Length; d++)
                {
                    var at = -1;
                    for (var w = 0; w < wide.Length && at < 0; w++)
                        if (!used[w] && _sets.Find(wide[w]) == _sets.Find(narrow[d])) at = w;
                    if (at < 0 && d == narrow.Length - 1 && !used[wide.Length - 1]) at = wide.Length - 1;
                    if (at < 0)
                    {
                        Error(node, $"{node.Op} cannot align an argument of shape {Format(narrow)} with one of shape {Format(wide)}: " +
                                    $"no axis of the second matches {_sets.Find(narrow[d])}");
                        return;
                    }
                    Unify(node, narrow[d], wide[at], "the dimensions of its arguments");
                    used[at] = true;
                    map[d] = at;
                }
                _alignments[(node.Id, arg)] = map;
            }

            private string[] Custom(IrNode node)
            {
                switch (node.Op)
                {
                    case OpCode.RowDot:
                    {
                        UnifyAll(node, S(node, 0), S(node, 1), "both operands");
                        return DropAxes(node, S(node, 0));
                    }
                    case OpCode.CrossEntropy or OpCode.CrossEntropyPerSample or OpCode.WeightedCrossEntropy:
                    {
                        var logits = S(node, 0);
                        var labels = S(node, 1);
                        if (logits.Length != labels.Length + 1)
                        {
                            Error(node, $"{node.Op} needs logits with one more axis (the classes) than the labels, but they are {Format(logits)} and {Format(labels)}");
                            return new string[0];
                        }
                        for (var d = 0; d < labels.Length; d++) Unify(node, logits[d], labels[d], "the sample dimensions of logits and labels");
                        var classes = logits[logits.Length - 1];
                        Range(node, 1, classes, "class");
                        if (node.Op == OpCode.WeightedCrossEntropy)
                        {
                            var weights = S(node, 2);
                            if (weights.Length != 1) Error(node, $"{node.Op} needs one weight per class, shape [{_sets.Find(classes)}], but got {Format(weights)}");
                            else Unify(node, weights[0], classes, "the class dimension of logits and weights");
                        }
                        return node.Op == OpCode.CrossEntropyPerSample ? labels : new string[0];
                    }
                    case OpCode.KL or OpCode.KLPerSample:
                    {
                        UnifyAll(node, S(node, 0), S(node, 1), "the target and the input");
                        return node.Op == OpCode.KLPerSample ? DropAxes(node, S(node, 0)) : new string[0];
                    }
                    case OpCode.Mse or OpCode.SmoothL1:
                        UnifyAll(node, S(node, 0), S(node, 1), "both operands");
                        return new string[0];
                    case OpCode.Pairwise:
                    {
                        var x = S(node, 0);
                        var y = S(node, 1);
                        if (x.Length < 2 || x.Length != y.Length)
                        {
                            Error(node, $"Pairwise needs two operands of the same rank ≥ 2 (rows × features, or batch × rows × features), but they are {Format(x)} and {Format(y)}");
                            return new string[0];
                        }
                        var r = x.Length;
                        for (var d = 0; d < r - 2; d++) Unify(node, x[d], y[d], "the batch dimensions of both operands");
                        Unify(node, x[r - 1], y[r - 1], "the feature dimensions of both operands");
                        return x.Take(r - 1).Concat(new[] { y[r - 2] }).ToArray();
                    }
                    case OpCode.Angles:
                    {
                        var x = S(node, 0);
                        if (x.Length != 2) Error(node, $"Angles needs rows × features, but got {Format(x)}");
                        var n = x.Length > 0 ? x[0] : Fresh("N");
                        return new[] { n, n, n };
                    }
                    case OpCode.Transpose:
                    {
                        var x = S(node, 0);
                        if (x.Length < 2)
                        {
                            Error(node, $"Transposed needs at least two axes, but got {Format(x)}");
                            return x;
                        }
                        var t = x.ToArray();
                        (t[t.Length - 2], t[t.Length - 1]) = (t[t.Length - 1], t[t.Length - 2]);
                        return t;
                    }
                    case OpCode.PerRow:
                        return S(node, 0).Concat(new[] { "1" }).ToArray();
                    case OpCode.PerColumn:
                        return new[] { "1" }.Concat(S(node, 0)).ToArray();
                    case OpCode.SameLabel or OpCode.DifferentLabel:
                    {
                        var rows = S(node, 0);
                        var cols = node.Args.Count > 1 ? S(node, 1) : rows;
                        if (rows.Length != 1 || cols.Length != 1)
                        {
                            Error(node, $"{node.Op} compares one label per row with one per column, but got {Format(rows)} and {Format(cols)}");
                            return new[] { Fresh("R"), Fresh("C") };
                        }
                        return new[] { rows[0], cols[0] };
                    }
                    case OpCode.AllPairs or OpCode.Identity:
                        return new[] { Fresh("R"), Fresh("C") };
                    case OpCode.OtherView or OpCode.Earlier or OpCode.NextRow:
                    {
                        var n = Fresh("R");
                        return new[] { n, n };
                    }
                    case OpCode.MeanOf:
                    {
                        var graph = S(node, 0);
                        var x = S(node, 1);
                        if (graph.Length != 2 || x.Length < 2)
                        {
                            Error(node, $"MeanOf needs a graph [R, M] and rows [M, ...], but got {Format(graph)} and {Format(x)}");
                            return x;
                        }
                        Unify(node, graph[1], x[0], "the graph's columns and the rows averaged");
                        return new[] { graph[0] }.Concat(x.Skip(1)).ToArray();
                    }
                    case OpCode.ClassOf:
                    {
                        var labels = S(node, 0);
                        if (labels.Length != 1) Error(node, $"ClassOf needs one label per row, but got {Format(labels)}");
                        var classes = Fresh("C");
                        Range(node, 0, classes, "class");
                        return new[] { labels.Length > 0 ? labels[0] : Fresh("R"), classes };
                    }
                    case OpCode.ExcludeSelf:
                    {
                        var g = S(node, 0);
                        if (g.Length >= 2) Unify(node, g[g.Length - 2], g[g.Length - 1], "rows and columns (the same set, for i ≠ j to mean anything)");
                        return g;
                    }
                    case OpCode.Over:
                    {
                        var values = S(node, 0);
                        var graph = S(node, 1);
                        UnifyAll(node, values, graph, "the relation and the graph");
                        return values;
                    }
                    case OpCode.Pick or OpCode.NextTokenLogProbs:
                    {
                        var x = S(node, 0);
                        var labels = S(node, 1);
                        if (x.Length != labels.Length + 1)
                        {
                            Error(node, $"{node.Op} needs values with one more axis than the labels, but they are {Format(x)} and {Format(labels)}");
                            return labels;
                        }
                        for (var d = 0; d < labels.Length; d++) Unify(node, x[d], labels[d], "the leading dimensions of values and labels");
                        Range(node, 1, x[x.Length - 1], "class");
                        return labels;
                    }
                    case OpCode.Rows:
                    {
                        var table = S(node, 0);
                        var index = S(node, 1);
                        if (table.Length == 0)
                        {
                            Error(node, "Rows needs a table with at least one axis");
                            return index;
                        }
                        Range(node, 1, table[0], "row of the table");
                        return index.Concat(table.Skip(1)).ToArray();
                    }
                    case OpCode.Columns:
                    {
                        var x = S(node, 0);
                        var index = S(node, 1);
                        if (x.Length == 0 || index.Length != 1)
                        {
                            Error(node, $"Columns needs values with a last axis and one index per column, but got {Format(x)} and {Format(index)}");
                            return x;
                        }
                        Range(node, 1, x[x.Length - 1], "column");
                        return x.Take(x.Length - 1).Concat(index).ToArray();
                    }
                    case OpCode.Column:
                    {
                        var x = S(node, 0);
                        var k = node.Attr is IndexAttr ia ? ia.Index : 0;
                        if (x.Length < 2)
                        {
                            Error(node, $"Column needs an index tensor with at least two axes, but got {Format(x)}");
                            return x;
                        }
                        if (IsLiteral(_sets.Find(x[x.Length - 1]), out var width) && (k < 0 || k >= width))
                            Error(node, $"Column({k}) of an index tensor with {width} columns");
                        return x.Take(x.Length - 1).ToArray();
                    }
                    case OpCode.Part:
                    {
                        var x = S(node, 0);
                        var part = node.Attr as IndexAttr ?? new IndexAttr(0, 1);
                        if (x.Length == 0 || part.Count < 1 || part.Index < 0 || part.Index >= part.Count)
                        {
                            Error(node, $"Part({part.Index}, of: {part.Count}) of a value of shape {Format(x)}");
                            return x;
                        }
                        var parent = x[x.Length - 1];
                        var symbol = $"{_sets.Find(parent)}/{part.Count}";
                        if (IsLiteral(_sets.Find(parent), out var size))
                        {
                            if (size % part.Count != 0) Error(node, $"Part splits an axis of {size} into {part.Count} equal parts");
                            symbol = (size / part.Count).ToString(CultureInfo.InvariantCulture);
                        }
                        else if (!_derived.Any(c => c.Symbol == symbol))
                        {
                            _sets.Add(symbol);
                            _derived.Add(new DerivedCheck(symbol, parent, part.Count, _firstTerm[node.Id]));
                        }
                        return x.Take(x.Length - 1).Concat(new[] { symbol }).ToArray();
                    }
                    case OpCode.AtPairs:
                    {
                        var values = S(node, 0);
                        if (values.Length != 2) Error(node, $"AtPairs needs a relation (rows × columns), but got {Format(values)}");
                        return new[] { MatchCount(node.Args[1]) };
                    }
                    case OpCode.Triplets or OpCode.AnchorPositive or OpCode.AnchorNegative:
                    {
                        var r = S(node, 0);
                        UnifyAll(node, r, S(node, 1), "the relation and the positive pairs");
                        UnifyAll(node, r, S(node, 2), "the relation and the negative pairs");
                        if (r.Length != 2)
                        {
                            Error(node, $"Triplets needs a relation of one set with itself, but got {Format(r)}");
                            return new string[0];
                        }
                        Unify(node, r[0], r[1], "rows and columns (anchors, positives and negatives come from one set)");
                        return new[] { r[0], r[0], r[0] };
                    }
                    case OpCode.Assign or OpCode.AssignMany:
                    {
                        var cost = S(node, 0);
                        if (cost.Length != 2) Error(node, $"{node.Op} needs a cost relation (rows × columns), but got {Format(cost)}");
                        return cost;
                    }
                    case OpCode.MatchedRows or OpCode.MatchedColumns:
                        return new[] { MatchCount(node.Args[0]) };
                    case OpCode.MatchedLabels:
                    {
                        var cost = S(node, 0);
                        var labels = S(node, 1);
                        if (labels.Length != 1 || cost.Length != 2)
                        {
                            Error(node, $"MatchedLabels needs one label per column of the matching, but got {Format(labels)}");
                            return new[] { Fresh("R") };
                        }
                        Unify(node, labels[0], cost[1], "the labels and the matching's columns");
                        return new[] { cost[0] };
                    }
                    default:
                        Error(node, $"No shape rule for {node.Op}");
                        return new string[0];
                }
            }

            /// <summary>Graphs built from sizes alone (all pairs, the diagonal, one-hot classes) need those sizes at
            /// run time: each must be tied to a dimension of some input.</summary>
            private void CheckSizesAreKnown()
            {
                var bound = new HashSet<string>(_ir.Inputs.SelectMany(input =>
                {
                    var node = _ir.Nodes.FirstOrDefault(n => n.Op == OpCode.Input && n.Name == input.Name);
                    return DimsOf(input.Name, input.Kind, (node?.Attr as InputAttr)?.Dims ?? default);
                }).Select(_sets.Find));
                foreach (var node in _ir.Nodes)
                {
                    if (node.Op is not (OpCode.AllPairs or OpCode.Identity or OpCode.ClassOf or OpCode.OtherView or OpCode.Earlier or OpCode.NextRow)) continue;
                    foreach (var symbol in _shapes[node.Id].Select(_sets.Find))
                        if (!bound.Contains(symbol) && !IsLiteral(symbol, out _))
                            Error(node, $"{node.Op} needs to know its size, but nothing ties its dimension {symbol} to an input; " +
                                        "use it with Over on a relation of known shape");
                }
            }

            /// <summary>The symbol for the number of matched pairs of the Assign node <paramref name="assign"/>.</summary>
            private string MatchCount(int assign)
            {
                var symbol = $"M#{assign}";
                _sets.Add(symbol);
                return symbol;
            }

            /// <summary>Records that the integer values of argument <paramref name="arg"/> index <paramref name="dim"/>,
            /// when they come straight from an input (run time checks them before computing).</summary>
            private void Range(IrNode node, int arg, string dim, string what)
            {
                var id = node.Args[arg];
                int? column = null;
                while (_ir.Nodes[id].Op == OpCode.StopGradient) id = _ir.Nodes[id].Args[0];
                if (_ir.Nodes[id].Op == OpCode.Column && _ir.Nodes[id].Attr is IndexAttr k)
                {
                    column = k.Index;
                    id = _ir.Nodes[id].Args[0];
                }
                if (_ir.Nodes[id].Attr is InputAttr input && _ir.Nodes[id].Op == OpCode.Input)
                    _ranges.Add(new RangeCheck(input.Name, _firstTerm[node.Id], dim, input.IgnoreIndex, what, column));
            }

            private ShapePlan Plan()
            {
                // Each set of equal dimensions is named after its symbol in the earliest input (signature order),
                // so messages read "C_student" when student comes first; literals and declared symbols win.
                string Name(string symbol) => _sets.Find(symbol);
                var inputs = _ir.Inputs.Select(input =>
                {
                    var node = _ir.Nodes.FirstOrDefault(n => n.Op == OpCode.Input && n.Name == input.Name);
                    var dims = DimsOf(input.Name, input.Kind, (node?.Attr as InputAttr)?.Dims ?? default);
                    return new InputCheck(
                        input.Name, input.Kind, input.FirstTerm,
                        dims.Select(Name).ToEquatableArray(),
                        dims.Select(s => Name(s) == s ? "" : _sets.Reason(s)).ToEquatableArray());
                });
                var ranges = _ranges.Select(r => r with { Dim = Name(r.Dim) }).Distinct();
                var derived = _derived.Select(d => d with { Symbol = Name(d.Symbol), Parent = Name(d.Parent) }).Distinct();
                return new ShapePlan(inputs.ToEquatableArray(), ranges.ToEquatableArray(), derived.ToEquatableArray());
            }
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

        /// <summary>Union-find over dimension symbols. A set is named by a literal if it has one, else by a rigid
        /// (declared) symbol, else by its oldest symbol; two different literals or two different rigid symbols
        /// never merge.</summary>
        private sealed class SizeSets
        {
            private readonly HashSet<string> _rigid;
            private readonly Dictionary<string, string> _parent = new();
            private readonly Dictionary<string, int> _age = new();
            private readonly Dictionary<string, string> _reason = new();

            public SizeSets(HashSet<string> rigid) => _rigid = rigid;

            public void Add(string s)
            {
                if (!_age.ContainsKey(s)) _age[s] = _age.Count;
            }

            public string Find(string s)
            {
                if (!_parent.TryGetValue(s, out var p)) return s;
                var root = Find(p);
                _parent[s] = root;
                return root;
            }

            public string Reason(string s) => _reason.TryGetValue(s, out var r) ? r : "";

            private int Rank(string root) => IsLiteral(root, out _) ? 2 : _rigid.Contains(root) ? 1 : 0;

            /// <summary>Merges the sets of <paramref name="a"/> and <paramref name="b"/>; false (and no merge) when
            /// both are named by different literals or different rigid symbols.</summary>
            public bool Union(string a, string b, string why)
            {
                Add(a);
                Add(b);
                var ra = Find(a);
                var rb = Find(b);
                if (ra == rb) return true;
                int ka = Rank(ra), kb = Rank(rb);
                if (ka > 0 && ka == kb) return false;
                // The stronger name wins; between equals, the older.
                var aWins = ka != kb ? ka > kb : _age[ra] <= _age[rb];
                var (root, child) = aWins ? (ra, rb) : (rb, ra);
                _parent[child] = root;
                foreach (var symbol in new[] { a, b, ra, rb })
                    if (!_reason.ContainsKey(symbol)) _reason[symbol] = why;
                return true;
            }
        }
    }
}
