using System.Collections.Generic;
using System.Linq;
using LossDsl.Ir;

namespace LossDsl.Generators.Fusion
{
    /// <summary>Writes a fused region's kernel: a nested class <c>__FusedRegion{k}</c> whose forward and
    /// backward loops over (i, j) evaluate the per-pair formula and its symbolically derived gradient
    /// (see <see cref="RegionDerivation"/>) without ever holding an N×M matrix. The non-formula plumbing
    /// (autograd, tensor ⇄ array, checks) is <c>LossDsl.Runtime.Fused</c>.</summary>
    internal static class KernelEmitter
    {
        private const string Runtime = "global::LossDsl.Runtime.Fused";
        private const string Tensor = "global::TorchSharp.torch.Tensor";
        private const string Math = "global::System.Math";
        private const string ParallelFor = "global::System.Threading.Tasks.Parallel.For";

        public static string ClassName(int index) => "__FusedRegion" + index;

        public static void EmitRegionClass(IndentedWriter w, LossIr ir, FusedRegion region, int index)
        {
            var math = RegionDerivation.For(region);
            var graph = new GraphText(region);
            var formula = $"log Σ_{graph.Over("j")} exp({math.Function.ToMath()})";

            EmitHeader(w, ir, region, index, math, graph, formula);
            using (w.Block($"private sealed class {ClassName(index)} : {Runtime}.IFusedPairKernel"))
            {
                w.Line($"private static readonly {ClassName(index)} Instance = new {ClassName(index)}();");
                w.Line();
                w.Line($"/// <summary><c>out_i = {Xml(formula)}</c> for each row i of x, differentiable in x and y");
                w.Line("/// (pass one tensor twice for a self relation). <paramref name=\"scale\"/> is s, a host number.</summary>");
                w.Line($"public static {Tensor} Apply({Tensor} x, {Tensor} y, {Tensor}? labels, double scale) =>");
                w.Line($"    {Runtime}.FusedPairFunction.Apply(Instance, x, y, labels, scale);");
                w.Line();
                w.Line($"public string Formula => {Literal(formula)};");
                w.Line();
                w.Line($"public {Runtime}.PairGraph Graph => new {Runtime}.PairGraph(NeedsLabels: {Bool(graph.NeedsLabels)}, ExcludesSelf: {Bool(region.ExcludeSelf)});");
                w.Line();
                EmitForward(w, math, graph);
                w.Line();
                EmitBackward(w, math, graph, RowOperand.X);
                w.Line();
                EmitBackward(w, math, graph, RowOperand.Y);
            }
        }

        private static void EmitHeader(IndentedWriter w, LossIr ir, FusedRegion region, int index,
            RegionDerivation math, GraphText graph, string formula)
        {
            w.Line($"// Fused region {index}: computes v{region.Root} = {IrPrinter.Formula(ir, region.Root)}");
            w.Line($"//   out_i = {formula}");
            var where = new List<string>();
            var x = IrPrinter.Formula(ir, region.X);
            where.Add(region.X == region.Y ? $"x = y = {x} (one operand: its gradient sums both parts)" : $"x = {x}, y = {IrPrinter.Formula(ir, region.Y)}");
            if (graph.NeedsLabels) where.Add($"ℓ = {IrPrinter.Formula(ir, region.Labels)}");
            if (region.Scale >= 0)
            {
                var s = IrPrinter.Formula(ir, region.Scale);
                var binary = ir.Nodes[region.Scale].Op is OpCode.Add or OpCode.Sub or OpCode.Mul or OpCode.Div;
                where.Add(region.ScaleIsDivisor ? $"s = 1 / {(binary ? "(" + s + ")" : s)}" : $"s = {s}");
            }
            w.Line($"//   where {string.Join(", ", where)}");
            w.Line("// Derived per pair (PairFormula):");
            w.Line($"//   f_ij = {math.Function.ToMath()}");
            foreach (var (leaf, derivative) in math.LeafDerivatives)
                w.Line($"//   ∂f_ij/∂{leaf.ToMath()} = {derivative.ToMath()}");
            w.Line($"//   p_ij = ∂out_i/∂f_ij = {math.ReductionWeight.ToMath()}");
            w.Line("// Backward, with g_i = ∂L/∂out_i:");
            w.Line($"//   ∂L/∂x_i = Σ_{graph.Over("j")} {GradientMath(math.GradX)}");
            w.Line($"//   ∂L/∂y_j = Σ_{graph.Over("i")} {GradientMath(math.GradY)}");
            w.Line("// Forward: one pass over j per row i (online log-sum-exp). Backward: one pass over j per row i");
            w.Line("// for ∂x, one over i per row j for ∂y; each row is accumulated by one thread, in order.");
            w.Line("// Memory O(N·D + M·D): no N×M buffer. An empty row gives out_i = −∞ and no gradient.");
        }

        private static string GradientMath(IReadOnlyList<GradientTerm> terms)
        {
            if (terms.Count == 0) return "0";
            var parts = terms.Select(t => (RegionDerivation.Grad * RegionDerivation.P * t.Coefficient).Simplify().ToMath()
                + " · " + (t.Operand == RowOperand.X ? "x_i" : "y_j"));
            return string.Join(" + ", parts);
        }

        private static void EmitForward(IndentedWriter w, RegionDerivation math, GraphText graph)
        {
            using (w.Block($"public void Forward({Runtime}.PairBatch batch, double[] output)"))
            {
                w.Line("int m = batch.M;");
                EmitCallLocals(w, math, graph);
                using (w.Block($"{ParallelFor}(0, batch.N, i =>", "});"))
                {
                    w.Line("var xi = batch.XRow(i);");
                    w.Line("// Online log-sum-exp: the running max, and Σ exp(f_ij − max) rescaled whenever the max grows.");
                    w.Line("double max = double.NegativeInfinity, sum = 0.0;");
                    using (w.Block("for (int j = 0; j < m; j++)"))
                    {
                        EmitPair(w, math, graph, "yj", "batch.YRow(j)");
                        w.Line($"if (f <= max) sum += {Math}.Exp(f - max);");
                        w.Line($"else {{ sum = sum * {Math}.Exp(max - f) + 1.0; max = f; }}");
                    }
                    w.Line($"output[i] = sum > 0.0 ? max + {Math}.Log(sum) : double.NegativeInfinity;");
                }
            }
        }

        /// <summary>∂L/∂x (rows i, reducing over j) or ∂L/∂y (rows j, reducing over i).</summary>
        private static void EmitBackward(IndentedWriter w, RegionDerivation math, GraphText graph, RowOperand wrt)
        {
            var forX = wrt == RowOperand.X;
            string own = forX ? "i" : "j", other = forX ? "j" : "i";
            string ownRow = forX ? "xi" : "yj", otherRow = forX ? "yj" : "xi";
            string grad = forX ? "dx" : "dy", gradRow = forX ? "dxi" : "dyj";
            var terms = forX ? math.GradX : math.GradY;
            var hoisted = new Dictionary<PairFormula, Symbol>();

            using (w.Block($"public void Backward{(forX ? "X" : "Y")}({Runtime}.PairBatch batch, double[] output, double[] grad, double[] {grad})"))
            {
                w.Line(forX ? "int m = batch.M, d = batch.D;" : "int n = batch.N, d = batch.D;");
                EmitCallLocals(w, math, graph);
                // Coefficients that are the same for every pair are computed once.
                foreach (var term in terms.Where(t => !t.Coefficient.DependsOnRow && t.Coefficient is not (Symbol or Constant)))
                {
                    var symbol = new Symbol("c" + hoisted.Count, $"c{hoisted.Count}", FormulaScope.Call);
                    hoisted[term.Coefficient] = symbol;
                    w.Line($"double {symbol.CSharp} = {term.Coefficient.ToCSharp()};   // {term.Coefficient.ToMath()}");
                }
                using (w.Block($"{ParallelFor}(0, batch.{(forX ? "N" : "M")}, {own} =>", "});"))
                {
                    if (forX)
                    {
                        w.Line("double gi = grad[i], outi = output[i];");
                        w.Line("if (gi == 0.0 || double.IsNegativeInfinity(outi)) return;   // an empty row passes no gradient");
                        w.Line("var xi = batch.XRow(i);");
                    }
                    else w.Line("var yj = batch.YRow(j);");
                    w.Line($"var {gradRow} = new global::System.Span<double>({grad}, {own} * d, d);");
                    var ownTerms = terms.Where(t => t.Operand == wrt).ToList();
                    if (ownTerms.Count > 0) w.Line("double ownWeight = 0.0;   // Σ of the weights on this row's own vector");
                    using (w.Block($"for (int {other} = 0; {other} < {(forX ? "m" : "n")}; {other}++)"))
                    {
                        if (forX) EmitPair(w, math, graph, "yj", "batch.YRow(j)");
                        else
                        {
                            EmitSkip(w, graph);
                            w.Line("double gi = grad[i], outi = output[i];");
                            w.Line("if (gi == 0.0 || double.IsNegativeInfinity(outi)) continue;   // an empty row passes no gradient");
                            EmitPair(w, math, graph, "xi", "batch.XRow(i)", skip: false);
                        }
                        w.Line($"// {RegionDerivation.P.ToMath()} = {math.ReductionWeight.ToMath()}");
                        w.Line($"double {RegionDerivation.P.CSharp} = {math.ReductionWeight.ToCSharp()};");
                        foreach (var term in terms)
                        {
                            var coefficient = hoisted.TryGetValue(term.Coefficient, out var h) ? h : term.Coefficient;
                            var weight = (RegionDerivation.Grad * RegionDerivation.P * coefficient).Simplify();
                            var operand = term.Operand == RowOperand.X ? "x_i" : "y_j";
                            var mathWeight = (RegionDerivation.Grad * RegionDerivation.P * term.Coefficient).Simplify().ToMath();
                            w.Line($"// ∂L/∂{(forX ? "x_i" : "y_j")} += {mathWeight} · {operand}");
                            if (term.Operand == wrt) w.Line($"ownWeight += {weight.ToCSharp()};");
                            else w.Line($"{Runtime}.PairMath.Axpy({weight.ToCSharp()}, {otherRow}, {gradRow});");
                        }
                    }
                    if (ownTerms.Count > 0) w.Line($"{Runtime}.PairMath.Axpy(ownWeight, {ownRow}, {gradRow});");
                }
            }
        }

        /// <summary>The per-call locals the loops read: the scale and the labels.</summary>
        private static void EmitCallLocals(IndentedWriter w, RegionDerivation math, GraphText graph)
        {
            if (math.Function.Atoms().Contains(RegionDerivation.Scale)) w.Line("double scale = batch.Scale;");
            if (graph.NeedsLabels) w.Line("long[] labels = batch.Labels!;");
        }

        /// <summary>Inside the pair loop: skip pairs outside the graph, then compute the leaves and f_ij.</summary>
        private static void EmitPair(IndentedWriter w, RegionDerivation math, GraphText graph, string row, string rowExpr, bool skip = true)
        {
            if (skip) EmitSkip(w, graph);
            w.Line($"var {row} = {rowExpr};");
            foreach (var leaf in math.Leaves)
                w.Line($"double {leaf.Local} = {Runtime}.PairMath.{leaf.Primitive}(xi, yj);");
            w.Line($"// {RegionDerivation.F.ToMath()} = {math.Function.ToMath()}");
            w.Line($"double {RegionDerivation.F.CSharp} = {math.Function.ToCSharp()};");
        }

        private static void EmitSkip(IndentedWriter w, GraphText graph)
        {
            if (graph.SkipCSharp.Count == 0) return;
            w.Line($"if ({string.Join(" || ", graph.SkipCSharp)}) continue;   // (i, j) outside the graph");
        }

        /// <summary>The region's graph as C# skip conditions and as set notation.</summary>
        private sealed class GraphText
        {
            public GraphText(FusedRegion region)
            {
                NeedsLabels = region.Graph != FusionPlanner.AllPairs;
                var skip = new List<string>();
                var member = new List<string>();
                if (region.ExcludeSelf)
                {
                    skip.Add("i == j");
                    member.Add("j ≠ i");
                }
                if (region.Graph == FusionPlanner.SameLabel)
                {
                    skip.Add("labels[i] != labels[j]");
                    member.Add("ℓ_j = ℓ_i");
                }
                else if (region.Graph == FusionPlanner.DifferentLabel)
                {
                    skip.Add("labels[i] == labels[j]");
                    member.Add("ℓ_j ≠ ℓ_i");
                }
                SkipCSharp = skip;
                Members = member;
            }

            public bool NeedsLabels { get; }
            public IReadOnlyList<string> SkipCSharp { get; }
            private IReadOnlyList<string> Members { get; }

            /// <summary>The index set of a sum over <paramref name="index"/>: <c>j</c>, or <c>{j : j ≠ i, ℓ_j = ℓ_i}</c>.</summary>
            public string Over(string index)
            {
                if (Members.Count == 0) return index;
                var conditions = index == "j" ? Members : Members.Select(Swap);
                return "{" + index + " : " + string.Join(", ", conditions) + "}";
            }

            private static string Swap(string condition) =>
                condition.Replace("_i", "_#").Replace("_j", "_i").Replace("_#", "_j")
                    .Replace("j ≠ i", "i ≠ j");
        }

        private static string Bool(bool value) => value ? "true" : "false";

        private static string Xml(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

        private static string Literal(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
    }
}
