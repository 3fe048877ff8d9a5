using System.Collections.Generic;
using System.Linq;

namespace LossDsl.Ir
{
    /// <summary>Rewrites a loss into one canonical spelling before the fusion planner reads it, so that users
    /// never rewrite a formula to make it fuse. Every rewrite keeps the value (up to rounding):
    /// <list type="bullet">
    /// <item><c>Pairwise(x, y, Cosine)</c> → <c>Pairwise(normalize(x), normalize(y), Dot)</c>;</item>
    /// <item><c>r / n</c> → <c>r · (1/n)</c> and <c>n · r</c> → <c>r · n</c> for a host number n;</item>
    /// <item>terms constant along j leave a row log-sum-exp:
    /// <c>log Σ_j exp(r_ij + c_i) = log Σ_j exp(r_ij) + c_i</c>, for host numbers and per-row vectors c, through
    /// sums, differences and products with host numbers (<c>−α(s − base)</c> = <c>−α·s + α·base</c>);</item>
    /// <item>a relation's column at each row's class, <c>Pick(r, y)</c>, and the cross-entropy of a relation's rows
    /// against class labels (classes as columns: proxies, class weights) are written over the class graph
    /// <c>ClassOf(y)</c>, which the engine reads as labels (see <c>Canonicalize.Classes.cs</c>).</item>
    /// </list>
    /// The generator plans fusion on, and emits <c>Compute</c> from, the canonical loss; <c>Ir</c> and
    /// <c>Trace()</c> keep the loss as written.</summary>
    public static partial class Canonicalize
    {
        public static LossIr Apply(LossIr ir)
        {
            var types = TypeInference.Infer(ir);
            var rewriter = new Rewriter(ir, types);
            foreach (var node in ir.Nodes) rewriter.Visit(node);
            return rewriter.Build();
        }

        private sealed partial class Rewriter
        {
            private readonly LossIr _ir;
            private readonly IrTypes _types;
            private readonly IrBuilder _builder = new();
            private readonly int[] _map;

            public Rewriter(LossIr ir, IrTypes types)
            {
                _ir = ir;
                _types = types;
                _map = new int[ir.Nodes.Count];
            }

            /// <summary>The rewritten loss, without the nodes only the rewritten forms read (the relation an offset
            /// left): they would be computed for nothing.</summary>
            public LossIr Build()
            {
                var live = new HashSet<int>();
                foreach (var term in _ir.Terms)
                    foreach (var node in _builder.Reachable(_map[term.Root])) live.Add(node.Id);
                var pruned = new IrBuilder();
                var ids = new Dictionary<int, int>();
                foreach (var node in _builder.Nodes.Where(n => live.Contains(n.Id)))
                    ids[node.Id] = pruned.Intern(node.Op, node.Kind, node.Args.Select(a => ids[a]).ToArray(), node.Attr);
                foreach (var term in _ir.Terms) pruned.AddTerm(term.Name, term.Weight, ids[_map[term.Root]], term.Source);
                return pruned.Build() with { Inputs = _ir.Inputs, Hypers = _ir.Hypers };
            }

            private IrNode New(int id) => _builder.Nodes[id];

            private int Intern(OpCode op, ValueKind kind, NodeAttr? attr, params int[] args) => _builder.Intern(op, kind, args, attr);

            private int Number(OpCode op, params int[] args) =>
                Intern(op, ValueKind.Number, new NumberAttr(args.Select(a => New(a).NumericType).Aggregate(NumericType.Double, Attrs.Promote)), args);

            public void Visit(IrNode node)
            {
                var args = node.Args.Select(a => _map[a]).ToArray();
                _map[node.Id] = node.Op switch
                {
                    OpCode.CrossEntropy when ClassCrossEntropy(node) is { } ce => ce,
                    OpCode.Pick when IsClassColumn(node) => ClassColumn(node, args),
                    OpCode.Pairwise when node.Metric == Metric.Cosine => CosineAsDot(node, args),
                    OpCode.Div when IsTensor(node) && New(args[1]).Kind == ValueKind.Number =>
                        Intern(OpCode.Mul, node.Kind, null, args[0], Number(OpCode.Div, One(), args[1])),
                    OpCode.Mul when IsTensor(node) && New(args[0]).Kind == ValueKind.Number && New(args[1]).Kind != ValueKind.Number =>
                        Intern(OpCode.Mul, node.Kind, null, args[1], args[0]),
                    OpCode.RowLogSumExp when New(args[0]).Op == OpCode.Over && node.Attr is null => LogSumExpWithoutOffsets(node, args[0]),
                    _ => Intern(node.Op, node.Kind, node.Attr, args),
                };
            }

            private static bool IsTensor(IrNode node) => node.Kind != ValueKind.Number;

            private int One() => Intern(OpCode.Const, ValueKind.Number, new ConstAttr(1, NumericType.Double));

            private int CosineAsDot(IrNode node, int[] args)
            {
                int Normalized(int id) => Intern(OpCode.Normalize, New(id).Kind, null, id);
                var x = Normalized(args[0]);
                var y = args[1] == args[0] ? x : Normalized(args[1]);
                return Intern(OpCode.Pairwise, node.Kind, new MetricAttr(Metric.Dot), x, y);
            }

            /// <summary><c>log Σ_j exp(r_ij + c_i)</c> → <c>log Σ_j exp(r_ij) + c_i</c> when the relation under the
            /// reduction carries terms constant along j.</summary>
            private int LogSumExpWithoutOffsets(IrNode lse, int over)
            {
                var overNode = _ir.Nodes[_ir.Nodes[lse.Id].Args[0]];
                var (rest, offset) = Split(overNode.Args[0]);
                var newOver = New(over);
                if (offset is null) return Intern(OpCode.RowLogSumExp, lse.Kind, null, over);
                var reduced = Intern(OpCode.RowLogSumExp, lse.Kind, null, Intern(OpCode.Over, newOver.Kind, newOver.Attr, rest, newOver.Args[1]));
                return Intern(OpCode.Add, lse.Kind, null, reduced, offset.Value);
            }

            /// <summary>The relation at original node <paramref name="id"/> as <c>r' + c</c> (nodes of the rewritten
            /// loss) with <c>c</c> constant along j (a host number or a vector broadcast along rows), or <c>(r, null)</c>.</summary>
            private (int Remainder, int? Offset) Split(int id)
            {
                var node = _ir.Nodes[id];
                if (node.Kind != ValueKind.Relation || _types.Rank(id) != 2) return (_map[id], null);
                switch (node.Op)
                {
                    case OpCode.Add or OpCode.Sub:
                    {
                        var negate = node.Op == OpCode.Sub;
                        if (IsRowConstant(node, 1))
                        {
                            var (rest, offset) = Split(node.Args[0]);
                            var c = negate ? Negate(_map[node.Args[1]]) : _map[node.Args[1]];
                            return (rest, offset is null ? c : Plus(offset.Value, c));
                        }
                        if (IsRowConstant(node, 0) && !negate)
                        {
                            var (rest, offset) = Split(node.Args[1]);
                            var c = _map[node.Args[0]];
                            return (rest, offset is null ? c : Plus(offset.Value, c));
                        }
                        var (leftRest, leftOffset) = Split(node.Args[0]);
                        var (rightRest, rightOffset) = Split(node.Args[1]);
                        if (leftOffset is null && rightOffset is null) return (_map[id], null);
                        var restNode = Intern(node.Op, node.Kind, null, leftRest, rightRest);
                        var sum = leftOffset is null ? (negate ? Negate(rightOffset!.Value) : rightOffset!.Value)
                            : rightOffset is null ? leftOffset.Value
                            : negate ? Minus(leftOffset.Value, rightOffset.Value) : Plus(leftOffset.Value, rightOffset.Value);
                        return (restNode, sum);
                    }
                    case OpCode.Mul or OpCode.Div:
                    {
                        var numberAt = _ir.Nodes[node.Args[1]].Kind == ValueKind.Number ? 1
                            : node.Op == OpCode.Mul && _ir.Nodes[node.Args[0]].Kind == ValueKind.Number ? 0 : -1;
                        if (numberAt < 0) return (_map[id], null);
                        var (rest, offset) = Split(node.Args[1 - numberAt]);
                        if (offset is null) return (_map[id], null);
                        var scale = _map[node.Args[numberAt]];
                        if (node.Op == OpCode.Div) scale = Number(OpCode.Div, One(), scale);
                        return (Intern(OpCode.Mul, node.Kind, null, rest, scale), Times(offset.Value, scale));
                    }
                    default:
                        return (_map[id], null);
                }
            }

            /// <summary>Whether argument <paramref name="arg"/> of the element-wise <paramref name="node"/> is constant
            /// along j: a host number, or a lower-rank value that the type inference aligned with the rows.</summary>
            private bool IsRowConstant(IrNode node, int arg) =>
                _ir.Nodes[node.Args[arg]].Kind == ValueKind.Number
                || _types.Alignment(node.Id, arg) is { Length: 1 } map && map[0] == 0;

            private int Negate(int id) => New(id).Kind == ValueKind.Number ? Number(OpCode.Neg, id) : Intern(OpCode.Neg, New(id).Kind, null, id);

            private int Plus(int a, int b) => Arithmetic(OpCode.Add, a, b);

            private int Minus(int a, int b) => Arithmetic(OpCode.Sub, a, b);

            private int Times(int a, int b) => Arithmetic(OpCode.Mul, a, b);

            private int Arithmetic(OpCode op, int a, int b)
            {
                var (na, nb) = (New(a), New(b));
                if (na.Kind == ValueKind.Number && nb.Kind == ValueKind.Number) return Number(op, a, b);
                var kind = na.Kind == ValueKind.Number ? nb.Kind : na.Kind;
                // A tensor first, as the rest of the canonical loss.
                return na.Kind == ValueKind.Number && op is OpCode.Add or OpCode.Mul ? Intern(op, kind, null, b, a) : Intern(op, kind, null, a, b);
            }
        }
    }
}
