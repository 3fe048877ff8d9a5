using System.Collections.Generic;
using System.Linq;

namespace LossDsl.Ir
{
    /// <summary>One argument of a call into <c>LossDsl.Runtime.Ops</c>.</summary>
    public abstract record RuntimeArg;

    /// <summary>The value of node <paramref name="Node"/>; with an <paramref name="Alignment"/>, placed into
    /// <paramref name="Rank"/> axes first (<c>Ops.Align</c>: axis d of the value goes to axis Alignment[d]).</summary>
    public sealed record NodeArg(int Node, EquatableArray<int> Alignment = default, int Rank = 0) : RuntimeArg;

    /// <summary>An integer known when the code is generated (a column, a number of parts).</summary>
    public sealed record LongArg(long Value) : RuntimeArg;

    /// <summary>Axis positions known when the code is generated (the named axes of a reduction).</summary>
    public sealed record AxesArg(EquatableArray<long> Axes) : RuntimeArg;

    /// <summary>The size bound to a dimension symbol by input validation (or the symbol's literal size).</summary>
    public sealed record SizeArg(string Symbol) : RuntimeArg;

    /// <summary>A pairwise metric.</summary>
    public sealed record MetricArg(Metric Metric) : RuntimeArg;

    /// <summary>A flag known when the code is generated (a self relation).</summary>
    public sealed record BoolArg(bool Value) : RuntimeArg;

    /// <summary>The ignored label index of the labels an operation reads, or null.</summary>
    public sealed record IgnoreArg(long? Index) : RuntimeArg;

    /// <summary>The device of the inputs.</summary>
    public sealed record DeviceArg : RuntimeArg;

    /// <summary>The floating-point type of the inputs (for values made from conditions and counts).</summary>
    public sealed record FloatTypeArg : RuntimeArg;

    /// <summary>A call <c>Ops.{Method}(args)</c> that computes one node.</summary>
    public sealed record RuntimeCall(string Method, EquatableArray<RuntimeArg> Args);

    /// <summary>How each node is computed at run time, decided once for generated code and the interpreter: the
    /// catalogue's <c>Ops</c> method over the node's arguments (aligned where an element-wise operation broadcasts
    /// a lower-rank argument), followed by what the node's attribute and the inferred dimensions add: a metric,
    /// axis positions, sizes bound by validation, the ignored label index.</summary>
    public static class RuntimeCalls
    {
        /// <summary>The call computing <paramref name="node"/>, or null for leaves and host numbers (which the
        /// emitter writes inline and the interpreter folds).</summary>
        public static RuntimeCall? For(LossIr ir, IrTypes types, IrNode node)
        {
            if (node.Kind == ValueKind.Number || node.Op is OpCode.Input or OpCode.Hyper or OpCode.Const) return null;
            var method = OpCatalog.Get(node.Op).Runtime ?? node.Op.ToString();
            var args = new List<RuntimeArg>();
            var rank = types.Rank(node.Id);
            for (var k = 0; k < node.Args.Count; k++)
                args.Add(types.Alignment(node.Id, k) is { } map
                    ? new NodeArg(node.Args[k], map.ToEquatableArray(), rank)
                    : new NodeArg(node.Args[k]));

            switch (node.Op)
            {
                case OpCode.Pairwise:
                    args.Add(new MetricArg(node.Metric));
                    args.Add(new BoolArg(IrNames.IsSelfPairwise(node)));
                    break;
                case OpCode.RowSum or OpCode.RowMean or OpCode.RowLogSumExp or OpCode.RowMax or OpCode.RowMin
                    when node.Attr is AxesAttr { Axes.Count: > 0 } axes:
                    args.Add(new AxesArg(AxisPositions(types.Of(node.Args[0]), axes.Axes, types).ToEquatableArray()));
                    break;
                case OpCode.CrossEntropy or OpCode.CrossEntropyPerSample or OpCode.WeightedCrossEntropy or OpCode.Pick or OpCode.NextTokenLogProbs:
                    args.Add(new IgnoreArg(IgnoreOf(ir, node.Args[1])));
                    break;
                case OpCode.Valid or OpCode.PredictedTokens:
                    args.Add(new IgnoreArg(IgnoreOf(ir, node.Args[0])));
                    break;
                case OpCode.Indicator or OpCode.CountTrue or OpCode.Count:
                    args.Add(new FloatTypeArg());
                    break;
                case OpCode.ClassOf:
                    args.Add(new SizeArg(types.Of(node.Id)[1]));
                    args.Add(new IgnoreArg(IgnoreOf(ir, node.Args[0])));
                    break;
                case OpCode.AllPairs or OpCode.Identity:
                    args.Add(new SizeArg(types.Of(node.Id)[0]));
                    args.Add(new SizeArg(types.Of(node.Id)[1]));
                    args.Add(new DeviceArg());
                    break;
                case OpCode.OtherView or OpCode.Earlier or OpCode.NextRow:
                    args.Add(new SizeArg(types.Of(node.Id)[0]));
                    args.Add(new DeviceArg());
                    break;
                case OpCode.Column when node.Attr is IndexAttr column:
                    args.Add(new LongArg(column.Index));
                    break;
                case OpCode.Part when node.Attr is IndexAttr part:
                    args.Add(new LongArg(part.Index));
                    args.Add(new LongArg(part.Count));
                    break;
            }
            return new RuntimeCall(method, args.ToEquatableArray());
        }

        /// <summary>The positions of the named <paramref name="axes"/> in <paramref name="shape"/>, each used once.</summary>
        private static IEnumerable<long> AxisPositions(IReadOnlyList<string> shape, EquatableArray<string> axes, IrTypes types)
        {
            var used = new bool[shape.Count];
            foreach (var axis in axes)
            {
                for (var d = 0; d < shape.Count; d++)
                {
                    if (used[d] || shape[d] != types.Canonical(axis)) continue;
                    used[d] = true;
                    yield return d;
                    break;
                }
            }
        }

        /// <summary>The <c>[Ignore]</c> index of the labels input node <paramref name="id"/> reads (through
        /// stop-gradients), or null.</summary>
        public static long? IgnoreOf(LossIr ir, int id)
        {
            var node = ir.Nodes[id];
            while (node.Op == OpCode.StopGradient) node = ir.Nodes[node.Args[0]];
            return node.Attr is InputAttr input ? input.IgnoreIndex : null;
        }
    }
}
