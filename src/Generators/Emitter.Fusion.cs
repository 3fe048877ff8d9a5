using System.Collections.Generic;
using System.Linq;
using LossDsl.Generators.Fusion;
using LossDsl.Ir;

namespace LossDsl.Generators
{
    internal static partial class Emitter
    {
        private const string Kernels = FormulaEmitter.Kernels;

        /// <summary>A fused region: the runtime's kernel when fusion is on and the batch is large enough to gain
        /// from it (<c>FusionPolicy.ShouldFuse</c>), the unfused nodes otherwise.</summary>
        private static void EmitRegionCall(IndentedWriter w, LossIr ir, NodeNames names, LossModel model, FusedRegion region,
            System.Func<int, bool> inScope)
        {
            var index = model.Regions.ToList().IndexOf(region);
            var root = names.Var(region.Root);
            var x = region.X < 0 ? "" : names.Readable(region.X);
            var y = region.Y < 0 ? "null" : names.Readable(region.Y);
            w.Line($"{Tensor} {root};");
            using (w.Block($"if ({FusedFlag(index)})"))
            {
                w.Line($"// {root} = {IrPrinter.Formula(ir, region.Root)}");
                w.Line($"//   fused region {index}: {RegionSummary(ir, region)}");
                switch (region.Shape)
                {
                    case RegionShape.RkdAngle:
                        w.Line($"{root} = {Kernels}.RkdAngleFunction.Apply({x}, {names.Readable(region.PatternArgs[0])});");
                        break;
                    case RegionShape.RkdDistance:
                        w.Line($"{root} = {Kernels}.RkdDistanceFunction.Apply({x}, {names.Readable(region.PatternArgs[0])}, {Kernels}.PairMetric.{region.Metric});");
                        break;
                    case RegionShape.TripletMargin:
                        w.Line($"{root} = {Kernels}.TripletMarginFunction.Apply({x}, {names.Readable(region.PatternArgs[0])}, {names.Operand(region.PatternArgs[1])});");
                        break;
                    case RegionShape.GraphHasAny:
                        var (rows, columns) = Sizes(names, region);
                        var labels = Labels(names, region.RowLabels, region.RowClassOf) ?? "null";
                        var columnLabels = Labels(names, region.ColumnLabels, region.ColumnClassOf) ?? "null";
                        w.Line($"{root} = {Kernels}.GraphRows.HasAny({Kernels}.GraphKind.{region.Graph}, excludeSelf: {(region.ExcludeSelf ? "true" : "false")}, " +
                            $"{labels}, {columnLabels}, {rows}, {columns}, __shapes.Device);");
                        break;
                    default:
                        EmitPairCall(w, names, model, region, root, x, y);
                        break;
                }
            }
            using (w.Block("else"))
            {
                // The region's interior, then its root; each interior value is released after its last read.
                var body = region.Interior.OrderBy(i => i).Where(id => names.IsVariable(ir.Nodes[id])).Append(region.Root).ToList();
                var chains = PairChains.Find(ir, names.Types, names.Readers, body,
                    id => id == region.Root || region.Operands.Contains(id) || names.IsRoot(id));
                var chained = ChainInteriors(chains);
                body = body.Where(id => !chained.Contains(id)).ToList();
                var statements = body.Select(id => new Lifetimes.Statement(id,
                    chains.TryGetValue(id, out var c) ? PairChains.Reads(ir, c) : Reads(ir, ir.Nodes[id]))).ToList();
                var candidates = body.Where(id => id != region.Root && Lifetimes.Releasable(ir, ir.Nodes[id]));
                var releases = new ReleaseScope(ir, names, statements, candidates, outer: inScope);
                for (var k = 0; k < body.Count; k++)
                {
                    if (chains.TryGetValue(body[k], out var chain)) EmitChain(w, names, chain, releases.Before(k), declare: body[k] != region.Root);
                    else EmitNode(w, names, ir.Nodes[body[k]], declare: body[k] != region.Root);
                    releases.EmitReleases(w, k);
                }
            }
        }

        private static string FusedFlag(int region) => "__fused" + region;

        /// <summary>Whether each region runs fused, decided once from the bound sizes (rows × columns of its relation),
        /// the float type and the device (<c>FusionPolicy.ShouldFuse</c>).</summary>
        private static void EmitFusionFlags(IndentedWriter w, NodeNames names, LossModel model)
        {
            for (var k = 0; k < model.Regions.Count; k++)
            {
                var (rows, columns) = Sizes(names, model.Regions[k]);
                var region = model.Regions[k];
                var arg = region.Reduce is "Max" or "Min" ? "true" : "false";
                // Regions with a kernel of their own beat their unfused N×N or N³ forms at every size (FusionPolicy).
                var ownKernel = region.Shape is RegionShape.RkdAngle or RegionShape.RkdDistance or RegionShape.TripletMargin ? ", ownKernel: true" : "";
                w.Line($"var {FusedFlag(k)} = this.UseFusedKernels && {Kernels}.FusionPolicy.ShouldFuse({rows}, {columns}, __shapes.FloatType, __shapes.Device, " +
                       $"{Kernels}.FusionPolicy.MinimumPairs(this.MinimumFusedPairs, argReduction: {arg}{ownKernel}));");
            }
        }

        /// <summary>The bound sizes of a region's rows and columns.</summary>
        private static (string Rows, string Columns) Sizes(NodeNames names, FusedRegion region)
        {
            if (region.Shape == RegionShape.GraphHasAny)
            {
                var dims = names.Types.Of(region.PatternArgs[0]);
                return (Size(dims[0]), Size(dims[1]));
            }
            var rows = Size(names.Types.Of(region.X)[0]);
            return (rows, region.Y < 0 ? rows : Size(names.Types.Of(region.Y)[0]));
        }

        /// <summary>One side's labels: a label node, the class ids 0 … C−1 of a <c>ClassOf</c> node, or null (none, or
        /// the row labels again).</summary>
        private static string? Labels(NodeNames names, int labels, int classOf) =>
            labels >= 0 ? names.Readable(labels)
            : classOf >= 0 ? $"{Ops}.ClassIds({Size(names.Types.Of(classOf)[1])}, __shapes.Device)"
            : null;

        private static string Size(string symbol) =>
            TypeInference.IsLiteral(symbol, out var size) ? size + "L" : $"__shapes[{Literal(symbol)}]";

        /// <summary><c>PairFunction&lt;Formula, Mask, Reduce&gt;.Apply(formula, mask, output, x, y, metric, extras)</c>.</summary>
        private static void EmitPairCall(IndentedWriter w, NodeNames names, LossModel model, FusedRegion region, string root, string x, string y)
        {
            var index = model.Regions.ToList().IndexOf(region);
            var formula = FormulaEmitter.Structs(model.Regions).First(s => s.Regions.Contains(index)).Name;
            var fields = string.Join(", ", region.Numbers.Select(n => $"{n.Field} = {names.Operand(n.Node)}"));
            var maskType = MaskType(region);
            var mask = region.Graph == "OtherView"
                ? region.ExcludeSelf ? $"new {maskType}(new {Kernels}.OtherView((int){x}.shape[0]))" : $"new {maskType}((int){x}.shape[0])"
                : "default";
            var extras = new List<string>();
            if (Labels(names, region.RowLabels, region.RowClassOf) is { } rowLabels) extras.Add($"RowLabels = {rowLabels}");
            if (Labels(names, region.ColumnLabels, region.ColumnClassOf) is { } columnLabels) extras.Add($"ColumnLabels = {columnLabels}");
            for (var k = 0; k < region.RowValues.Count; k++) extras.Add($"R{k} = {Value(names, region.RowValues[k], x)}");
            for (var k = 0; k < region.ColumnValues.Count; k++) extras.Add($"C{k} = {Value(names, region.ColumnValues[k], y == "null" ? x : y)}");
            if (region.X2 >= 0)
            {
                extras.Add($"X2 = {names.Readable(region.X2)}");
                if (region.Y2 >= 0) extras.Add($"Y2 = {names.Readable(region.Y2)}");
                extras.Add($"Metric2 = {Kernels}.PairMetric.{region.Metric2}");
            }
            w.Line($"{root} = {Kernels}.PairFunction<{formula}, {maskType}, {Kernels}.{region.Reduce}Reduce>.Apply(");
            w.Line($"    new {formula} {{ {fields} }}, {mask}, {Kernels}.PairOutput.{region.Output},");
            w.Line($"    {x}, {y}, {Kernels}.PairMetric.{region.Metric}" + (extras.Count == 0 ? ");" : ","));
            if (extras.Count > 0) w.Line($"    new {Kernels}.PairExtras {{ {string.Join(", ", extras)} }});");
        }

        /// <summary>A row or column value: a vector as is, a 0-d value broadcast to the rows of <paramref name="rows"/>.</summary>
        private static string Value(NodeNames names, int node, string rows) =>
            names.Types.Rank(node) == 0 ? $"{names.Readable(node)}.expand({rows}.shape[0])" : names.Readable(node);

        private static string MaskType(FusedRegion region)
        {
            var inner = $"{Kernels}.{region.Graph}";
            return region.ExcludeSelf ? $"{Kernels}.ExcludeSelf<{inner}>" : inner;
        }

        /// <summary>One line on what a region runs, for the comment above its call and for <c>Describe()</c>.</summary>
        internal static string RegionSummary(LossIr ir, FusedRegion region) => region.Shape switch
        {
            RegionShape.RkdAngle => "RKD angles through Gram matrices in O(N²) memory (RkdAngleFunction), no N³ tensor",
            RegionShape.RkdDistance => "RKD distances normalised by their positive means, three engine passes (RkdDistanceFunction), no N×N tensor",
            RegionShape.TripletMargin => "all triplets by sorted distances (TripletMarginFunction), no N³ tensor",
            RegionShape.GraphHasAny => $"rows of {(region.ExcludeSelf ? "ExcludeSelf<" + region.Graph + ">" : region.Graph)} with a pair, from label counts (GraphRows.HasAny), no N×M mask",
            _ => $"{region.Reduce} over {(region.ExcludeSelf ? "ExcludeSelf<" + region.Graph + ">" : region.Graph)} of " +
                 $"f_ij = {region.Formula!.ToMath()}, s = {region.Metric} relation, output {region.Output}; no N×M tensor",
        };
    }
}
