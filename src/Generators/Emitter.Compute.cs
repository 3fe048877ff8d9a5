using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using LossDsl.Generators.Fusion;
using LossDsl.Ir;

namespace LossDsl.Generators
{
    internal static partial class Emitter
    {
        private const string Ops = "global::LossDsl.Runtime.Ops";
        private const string Scalars = "global::LossDsl.Runtime.Scalars";
        private const string Tensor = "global::TorchSharp.torch.Tensor";

        /// <summary><c>Compute(IReadOnlyDictionary)</c>: inputs by name, for generic callers.</summary>
        private static void EmitComputeByName(IndentedWriter w, LossModel model)
        {
            w.Line();
            w.Line("/// <summary>Computes the loss from inputs given by name (see <see cref=\"Inputs\"/>).</summary>");
            w.Line(GeneratedCode);
            w.Line($"public global::LossDsl.Runtime.LossResult Compute(global::System.Collections.Generic.IReadOnlyDictionary<string, {Tensor}> inputs) =>");
            var args = model.Ir.Inputs.Select(i =>
                $"global::LossDsl.Runtime.InputValidator.Require(inputs, {Literal(model.ClassName)}, {Literal(i.Name)}, {Literal(i.FirstTerm)})");
            w.Line($"    Compute({string.Join(", ", args)});");
        }

        /// <summary><c>Compute(...)</c>: validation, then one statement per IR node in topological order,
        /// each under a comment with its formula; shared subexpressions are computed once.</summary>
        private static void EmitCompute(IndentedWriter w, LossModel model)
        {
            var ir = model.Computed;
            var regions = model.Regions.ToDictionary(r => r.Root);
            var interior = new HashSet<int>(model.Regions.SelectMany(r => r.Interior));
            var readers = IrReaders.Of(ir);
            var unfusedOnly = UnfusedOnlyNodes(ir, readers, model.Regions, interior);
            var names = new NodeNames(ir, TypeInference.Infer(ir), readers, new HashSet<int>(unfusedOnly.Keys));

            w.Line();
            w.Line("/// <summary>Computes every term and the weighted total (with its autograd graph):");
            w.Line("/// <code>");
            foreach (var term in model.Ir.Terms)
                w.Line($"/// {term.Name} (weight {IrPrinter.FormatNumber(term.Weight)}, {term.Source}) = {Xml(IrPrinter.Formula(model.Ir, term.Root))}");
            w.Line("/// </code></summary>");
            var parameters = ir.Inputs.Select(i => $"{Tensor} {Parameter(i.Name)}");
            w.Line(GeneratedCode);
            using (w.Block($"public global::LossDsl.Runtime.LossResult Compute({string.Join(", ", parameters)})"))
            {
                if (model.Ir.Hypers.Count > 0) w.Line("__ValidateHypers();");
                var inputs = ir.Inputs.Select(i => $"({Literal(i.Name)}, {Parameter(i.Name)})");
                // Host operations (the Hungarian matcher) cannot carry a NaN to the value: such a loss checks its inputs up
                // front (as NonFiniteInputs.Throw) unless they are Unchecked.
                var policy = ir.Nodes.Any(n => OpCatalog.IsHost(n.Op))
                    ? "global::LossDsl.Runtime.InputGuards.ForHostOperations(this.NonFiniteInputs)"
                    : "this.NonFiniteInputs";
                w.Line($"var __shapes = global::LossDsl.Runtime.InputValidator.Validate({Literal(model.ClassName)}, __plan, " +
                       $"new (string, {Tensor})[] {{ {string.Join(", ", inputs)} }}, {policy}" +
                       (model.AllowEmptyBatch ? ", allowEmptyBatch: true);" : ");"));
                w.Line("using var __scope = global::TorchSharp.torch.NewDisposeScope();");
                var floats = ir.Inputs.Where(i => !OpCatalog.IsInteger(i.Kind)).ToList();
                if (floats.Count > 0)
                {
                    w.Line("// float16 and bfloat16 are computed in float32; an input its kind cannot hold (NaN, ...) makes the terms reading it NaN");
                    foreach (var input in floats) w.Line($"{Parameter(input.Name)} = global::LossDsl.Runtime.InputGuards.Widen({Parameter(input.Name)});");
                    w.Line("var __propagate = this.NonFiniteInputs == global::LossDsl.Runtime.NonFiniteInputs.Propagate;");
                    foreach (var input in floats)
                        w.Line($"var {Invalid(input.Name)} = __propagate ? global::LossDsl.Runtime.InputGuards.AnyInvalid({Parameter(input.Name)}, " +
                               $"global::LossDsl.Ir.ValueKind.{input.Kind}) : null;");
                }
                EmitFusionFlags(w, names, model);
                var top = ir.Nodes.Where(n => names.IsVariable(n) && !interior.Contains(n.Id)).ToList();
                var operands = new HashSet<int>(model.Regions.SelectMany(r => r.Operands));
                var chains = PairChains.Find(ir, names.Types, names.Readers, top.Select(n => n.Id).ToList(),
                    id => names.IsRoot(id) || regions.ContainsKey(id) || operands.Contains(id) || unfusedOnly.ContainsKey(id));
                var chained = ChainInteriors(chains);
                top = top.Where(n => !chained.Contains(n.Id)).ToList();
                var statements = top.Select(n => new Lifetimes.Statement(n.Id,
                    regions.TryGetValue(n.Id, out var r) ? RegionReads(ir, r)
                    : chains.TryGetValue(n.Id, out var c) ? PairChains.Reads(ir, c) : Reads(ir, n))).ToList();
                var scope = new ReleaseScope(ir, names, statements, top.Where(n => Lifetimes.Releasable(ir, n) && !names.IsRoot(n.Id)).Select(n => n.Id));
                for (var k = 0; k < top.Count; k++)
                {
                    var node = top[k];
                    if (regions.TryGetValue(node.Id, out var region)) EmitRegionCall(w, ir, names, model, region, scope.Before(k));
                    else if (unfusedOnly.TryGetValue(node.Id, out var needers)) EmitUnfusedOnlyNode(w, names, node, needers);
                    else if (chains.TryGetValue(node.Id, out var chain)) EmitChain(w, names, chain, scope.Before(k));
                    else EmitNode(w, names, node);
                    scope.EmitReleases(w, k);
                }
                EmitResult(w, model, names);
            }
        }

        /// <summary>The local holding whether an input holds a value its kind cannot hold (null unless propagating).</summary>
        private static string Invalid(string input) => "__invalid_" + input;

        /// <summary>The tensors (and other run-time values) a node's statement reads: its arguments but numbers.</summary>
        private static IEnumerable<int> Reads(LossIr ir, IrNode node) => node.Args.Where(a => ir.Nodes[a].Kind != ValueKind.Number);

        /// <summary>The nodes outside a region that its statement reads: the fused call's operands and the unfused
        /// branch's arguments from outside the region.</summary>
        private static IEnumerable<int> RegionReads(LossIr ir, FusedRegion region)
        {
            var inside = new HashSet<int>(region.Interior) { region.Root };
            return region.Operands.Where(id => id != region.Root && ir.Nodes[id].Kind != ValueKind.Number)
                .Concat(inside.SelectMany(id => Reads(ir, ir.Nodes[id])).Where(a => !inside.Contains(a)));
        }

        private static void EmitNode(IndentedWriter w, NodeNames names, IrNode node, bool declare = true)
        {
            w.Line($"// {names.Var(node.Id)} = {IrPrinter.Format(node, node.Args.Select(names.Comment).ToArray())}");
            w.Line($"{(declare ? "var " : "")}{names.Var(node.Id)} = {Code(names, node)};");
        }

        /// <summary>A node that only the unfused branches of regions read (e.g. one pairwise relation two regions
        /// scale differently): computed once, and only when one of those regions runs unfused.</summary>
        private static void EmitUnfusedOnlyNode(IndentedWriter w, NodeNames names, IrNode node, SortedSet<int> regions)
        {
            var allFused = string.Join(" && ", regions.Select(FusedFlag));
            w.Line($"// {names.Var(node.Id)} = {IrPrinter.Format(node, node.Args.Select(names.Comment).ToArray())}, needed only unfused");
            w.Line($"var {names.Var(node.Id)} = {allFused} ? null : {Code(names, node)};");
        }

        /// <summary>Nodes outside every region's interior whose every use is inside a region's interior (or
        /// another such node): the fused path never reads them. Each comes with the regions whose unfused
        /// branches read it. Term roots and the regions' operands are read by the fused path, so they never qualify.</summary>
        private static Dictionary<int, SortedSet<int>> UnfusedOnlyNodes(LossIr ir, IReadOnlyDictionary<int, List<int>> consumers,
            EquatableArray<FusedRegion> regions, HashSet<int> interior)
        {
            var result = new Dictionary<int, SortedSet<int>>();
            if (regions.Count == 0) return result;
            var readByFusedPath = new HashSet<int>(ir.Terms.Select(t => t.Root)
                .Concat(regions.SelectMany(r => r.Operands)));
            var regionOf = new Dictionary<int, int>();
            for (var k = 0; k < regions.Count; k++)
                foreach (var id in regions[k].Interior.Append(regions[k].Root)) regionOf[id] = k;
            // Consumers have larger ids, so one pass from the end decides every node after its consumers.
            foreach (var node in ir.Nodes.Reverse())
            {
                if (node.Kind == ValueKind.Number || node.Op == OpCode.Input || interior.Contains(node.Id) || readByFusedPath.Contains(node.Id)) continue;
                var uses = consumers[node.Id];
                // A region's root reads its arguments only on its unfused branch (its fused call reads its operands).
                if (uses.Count == 0 || !uses.All(c => regionOf.ContainsKey(c) || result.ContainsKey(c))) continue;
                var needers = new SortedSet<int>();
                foreach (var c in uses)
                    if (result.TryGetValue(c, out var more)) needers.UnionWith(more);
                    else needers.Add(regionOf[c]);
                result[node.Id] = needers;
            }
            return result;
        }

        private static void EmitResult(IndentedWriter w, LossModel model, NodeNames names)
        {
            var ir = model.Computed;
            // Only the results leave the dispose scope. Poison gives each term a handle of its own (an alias when nothing is
            // flagged), so terms sharing a root, or returning an input as is, never dispose the same tensor twice.
            var floats = new HashSet<string>(ir.Inputs.Where(i => !OpCatalog.IsInteger(i.Kind)).Select(i => i.Name));
            var ids = new List<string>();
            foreach (var term in ir.Terms)
            {
                var id = term.Name;
                var flags = ir.InputsReadBy(term.Root).Where(floats.Contains).Select(Invalid);
                w.Line($"// term {term.Name} ({term.Source}), weight {IrPrinter.FormatNumber(term.Weight)}");
                w.Line($"var raw_{id} = global::LossDsl.Runtime.InputGuards.Poison({string.Join(", ", new[] { names.Readable(term.Root) }.Concat(flags))})" +
                       ".MoveToOuterDisposeScope();");
                w.Line($"var weighted_{id} = {Scalars}.Mul(raw_{id}, {NumberLiteral(term.Weight, NumericType.Double)}).MoveToOuterDisposeScope();");
                ids.Add(id);
            }
            var total = ids.Skip(1).Aggregate("weighted_" + ids[0], (sum, id) => $"{Scalars}.Add({sum}, weighted_{id})");
            w.Line($"var __total = {total}.MoveToOuterDisposeScope();");
            var values = ir.Terms.Zip(ids, (t, id) =>
                $"new global::LossDsl.Runtime.TermValue({Literal(t.Name)}, {NumberLiteral(t.Weight, NumericType.Double)}, raw_{id}, weighted_{id})");
            w.Line($"return new global::LossDsl.Runtime.LossResult(__total, new[] {{ {string.Join(", ", values)} }});");
        }

        /// <summary>The C# expression computing one node: its <see cref="RuntimeCalls"/> call, arguments by name
        /// (a lower-rank argument of an element-wise operation aligned first), numbers as <c>double</c>.</summary>
        /// <param name="read">Where given, how a node argument is read instead (null: as usual).</param>
        private static string Code(NodeNames names, IrNode node, System.Func<NodeArg, string?>? read = null)
        {
            var call = RuntimeCalls.For(names.Ir, names.Types, node)!;
            var args = call.Args.Where(a => a is not IgnoreArg { Index: null }).Select(a => a switch
            {
                NodeArg n when read?.Invoke(n) is { } custom => custom,
                // A vector against a relation reads as v_i or v_j; other alignments are spelled out.
                NodeArg { Alignment.Count: 1, Rank: 2 } n when n.Alignment[0] == 0 => $"{Ops}.PerRow({names.Operand(n.Node)})",
                NodeArg { Alignment.Count: 1, Rank: 2 } n => $"{Ops}.PerColumn({names.Operand(n.Node)})",
                NodeArg { Alignment.Count: > 0 } n =>
                    $"{Ops}.Align({names.Operand(n.Node)}, new[] {{ {string.Join(", ", n.Alignment)} }}, {n.Rank})",
                NodeArg n => names.Operand(n.Node),
                LongArg l => l.Value.ToString(CultureInfo.InvariantCulture) + "L",
                AxesArg x => $"new long[] {{ {string.Join(", ", x.Axes)} }}",
                SizeArg z => TypeInference.IsLiteral(z.Symbol, out var size) ? size + "L" : $"__shapes[{Literal(z.Symbol)}]",
                MetricArg m => $"global::LossDsl.Ir.Metric.{m.Metric}",
                BoolArg b => "self: " + (b.Value ? "true" : "false"),
                IgnoreArg { Index: { } i } => "ignore: " + i.ToString(CultureInfo.InvariantCulture) + "L",
                DeviceArg => "__shapes.Device",
                FloatTypeArg => "__shapes.FloatType",
                _ => throw new System.InvalidOperationException($"Unknown runtime argument {a}."),
            });
            return $"{Ops}.{call.Method}({string.Join(", ", args)})";
        }

        private static string Xml(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

        /// <summary>How each node appears in generated code: inputs by parameter name, numbers inline
        /// (C# arithmetic on hyper-parameters), everything else as a local <c>v{id}</c>.</summary>
        private sealed class NodeNames
        {
            private readonly LossIr _ir;
            private readonly HashSet<int> _unfusedOnly;

            public NodeNames(LossIr ir, IrTypes types, IReadOnlyDictionary<int, List<int>> readers, HashSet<int> unfusedOnly)
            {
                _ir = ir;
                Types = types;
                Readers = readers;
                _unfusedOnly = unfusedOnly;
            }

            /// <summary>Each node's readers (<see cref="IrReaders"/>).</summary>
            public IReadOnlyDictionary<int, List<int>> Readers { get; }

            public LossIr Ir => _ir;

            /// <summary>The dimensions of every node (alignments, axis positions, sizes).</summary>
            public IrTypes Types { get; }

            public bool IsVariable(IrNode node) => node.Op != OpCode.Input && node.Kind != ValueKind.Number;

            /// <summary>Whether the node is a term's result (it leaves the dispose scope; never released).</summary>
            public bool IsRoot(int id) => _ir.Terms.Any(t => t.Root == id);

            public string Var(int id) => "v" + id;

            /// <summary>The node as an expression: a local, a parameter, or an inline number.</summary>
            public string Readable(int id)
            {
                var node = _ir.Nodes[id];
                if (node.Op == OpCode.Input) return Parameter(node.Name);
                if (node.Kind == ValueKind.Number) return Number(id);
                // Read only on unfused branches, where it is never null.
                return _unfusedOnly.Contains(id) ? Var(id) + "!" : Var(id);
            }

            /// <summary>An argument of a runtime call: numbers as double (TorchSharp scalars), cast when
            /// the C# expression has another type.</summary>
            public string Operand(int id)
            {
                var node = _ir.Nodes[id];
                if (node.Kind != ValueKind.Number) return Readable(id);
                return node.NumericType == NumericType.Double ? Number(id) : "(double)" + Number(id);
            }

            /// <summary>The node as a formula comment shows it: numbers in mathematical notation.</summary>
            public string Comment(int id)
            {
                var node = _ir.Nodes[id];
                if (node.Kind != ValueKind.Number) return node.Op == OpCode.Input ? Parameter(node.Name) : Var(id);
                var formula = IrPrinter.Formula(_ir, id);
                return node.Args.Count == 2 ? "(" + formula + ")" : formula;
            }

            public string Number(int id)
            {
                var node = _ir.Nodes[id];
                switch (node.Op)
                {
                    case OpCode.Const: return NumberLiteral(node.Number, node.NumericType);
                    case OpCode.Hyper: return "this." + Parameter(node.Name);
                    case OpCode.Neg: return $"(-{Number(node.Args[0])})";
                    case OpCode.Add or OpCode.Sub or OpCode.Mul or OpCode.Div:
                        var symbol = node.Op switch { OpCode.Add => "+", OpCode.Sub => "-", OpCode.Mul => "*", _ => "/" };
                        return $"({Number(node.Args[0])} {symbol} {Number(node.Args[1])})";
                    default:
                        // Math.Cos(this.Margin): host math, as written in the term.
                        var cast = node.NumericType == NumericType.Double ? "" : $"({Attrs.Keyword(node.NumericType)})";
                        return $"{cast}global::System.Math.{HostMath.MathName(node.Op)}({string.Join(", ", node.Args.Select(Number))})";
                }
            }
        }
    }
}
