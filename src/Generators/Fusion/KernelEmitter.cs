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
            if (!region.IsLogSumExp)
            {
                SumKernelEmitter.EmitRegionClass(w, ir, region, index);
                return;
            }
            var math = RegionDerivation.For(region);
            var graph = new GraphText(region);
            var formula = $"log Σ_{graph.Over("j")} exp({math.Function.ToMath()})";

            EmitHeader(w, ir, region, index, math, graph, formula);
            using (w.Block($"private sealed class {ClassName(index)} : {Runtime}.IFusedPairKernel"))
            {
                w.Line($"private static readonly {ClassName(index)} Instance = new {ClassName(index)}();");
                w.Line();
                w.Line("/// <summary>Rows per tile: each row of the other operand is read once per tile, while the");
                w.Line("/// tile's rows (and their gradient rows) stay in cache.</summary>");
                w.Line("private const int TileRows = 16;");
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
                w.Line();
                EmitBackwardSelf(w, math, graph);
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
            w.Line($"//   one tensor as x and y (f, the leaves and the graph are symmetric, p_ji = {math.TransposedWeight.ToMath()}):");
            w.Line($"//   ∂L/∂x_i = Σ_{graph.Over("j")} {SelfGradientMath(math)}");
            w.Line("// Forward: one pass over j per tile of rows i (online log-sum-exp). Backward: one pass over j per");
            w.Line("// tile of rows i for ∂x and one over i per tile of rows j for ∂y, or a single pass for one tensor;");
            w.Line("// each row is accumulated by one thread, in index order, so results do not depend on scheduling.");
            w.Line("// Memory O(N·D + M·D): no N×M buffer. An empty row gives out_i = −∞ and no gradient.");
        }

        private static string SelfGradientMath(RegionDerivation math)
        {
            var parts = new List<string>();
            foreach (var operand in new[] { RowOperand.X, RowOperand.Y })
            {
                // Row i as x contributes GradX's terms; row i as y contributes GradY's, read at (j, i),
                // where "own vector" is x_i and "other vector" is x_j in both.
                var weights = math.GradX.Where(t => t.Operand == operand)
                    .Select(t => (RegionDerivation.Grad * RegionDerivation.P * t.Coefficient).Simplify().ToMath())
                    .Concat(math.GradY.Where(t => t.Operand != operand)
                        .Select(t => RegionDerivation.Transpose(RegionDerivation.Grad * RegionDerivation.P * t.Coefficient).ToMath()))
                    .ToList();
                if (weights.Count == 0) continue;
                var vector = operand == RowOperand.X ? "x_i" : "x_j";
                parts.Add(weights.Count == 1 ? $"{weights[0]} · {vector}" : $"({string.Join(" + ", weights)}) · {vector}");
            }
            return parts.Count == 0 ? "0" : string.Join(" + ", parts);
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
                w.Line("int n = batch.N, m = batch.M, d = batch.D;");
                EmitCallLocals(w, math, graph);
                using (w.Block($"{ParallelFor}(0, (n + TileRows - 1) / TileRows, tile =>", "});"))
                {
                    w.Line($"int i0 = tile * TileRows, rows = {Math}.Min(TileRows, n - i0);");
                    EmitLeafBuffers(w, math);
                    w.Line("// Online log-sum-exp per row: the running max, and Σ exp(f_ij − max) rescaled whenever the max grows.");
                    w.Line("global::System.Span<double> max = stackalloc double[TileRows], sum = stackalloc double[TileRows];");
                    w.Line("for (int r = 0; r < TileRows; r++) { max[r] = double.NegativeInfinity; sum[r] = 0.0; }");
                    using (w.Block("for (int j = 0; j < m; j++)"))
                    {
                        w.Line("var yj = batch.YRow(j);");
                        EmitLeaves(w, math, "batch.X", "i0", "yj");
                        using (w.Block("for (int r = 0; r < rows; r++)"))
                        {
                            w.Line("int i = i0 + r;");
                            EmitSkip(w, graph);
                            EmitFunction(w, math);
                            w.Line($"if (f <= max[r]) sum[r] += {Math}.Exp(f - max[r]);");
                            w.Line($"else {{ sum[r] = sum[r] * {Math}.Exp(max[r] - f) + 1.0; max[r] = f; }}");
                        }
                    }
                    w.Line("for (int r = 0; r < rows; r++)");
                    w.Line($"    output[i0 + r] = sum[r] > 0.0 ? max[r] + {Math}.Log(sum[r]) : double.NegativeInfinity;");
                }
            }
        }

        /// <summary>∂L/∂x (tiles of rows i, reducing over j) or ∂L/∂y (tiles of rows j, reducing over i).</summary>
        private static void EmitBackward(IndentedWriter w, RegionDerivation math, GraphText graph, RowOperand wrt)
        {
            var forX = wrt == RowOperand.X;
            string own = forX ? "i" : "j", other = forX ? "j" : "i";
            string ownRows = forX ? "batch.X" : "batch.Y", otherRow = forX ? "yj" : "xi";
            string grad = forX ? "dx" : "dy";
            string ownCount = forX ? "n" : "m", otherCount = forX ? "m" : "n";
            var terms = forX ? math.GradX : math.GradY;
            var ownTerm = terms.SingleOrDefault(t => t.Operand == wrt);
            var otherTerm = terms.SingleOrDefault(t => t.Operand != wrt);
            var hoisted = new Dictionary<PairFormula, Symbol>();

            using (w.Block($"public void Backward{(forX ? "X" : "Y")}({Runtime}.PairBatch batch, double[] output, double[] grad, double[] {grad})"))
            {
                w.Line("int n = batch.N, m = batch.M, d = batch.D;");
                EmitCallLocals(w, math, graph);
                // Coefficients that are the same for every pair are computed once.
                foreach (var term in terms.Where(t => !t.Coefficient.DependsOnRow && t.Coefficient is not (Symbol or Constant)))
                {
                    var symbol = new Symbol("c" + hoisted.Count, $"c{hoisted.Count}", FormulaScope.Call);
                    hoisted[term.Coefficient] = symbol;
                    w.Line($"double {symbol.CSharp} = {term.Coefficient.ToCSharp()};   // {term.Coefficient.ToMath()}");
                }
                using (w.Block($"{ParallelFor}(0, ({ownCount} + TileRows - 1) / TileRows, tile =>", "});"))
                {
                    w.Line($"int {own}0 = tile * TileRows, rows = {Math}.Min(TileRows, {ownCount} - {own}0);");
                    EmitLeafBuffers(w, math);
                    if (otherTerm is not null)
                        w.Line($"global::System.Span<double> weight = stackalloc double[TileRows];   // per row of the tile: the weight of {(forX ? "y_j" : "x_i")}");
                    if (ownTerm is not null)
                    {
                        w.Line($"global::System.Span<double> ownWeight = stackalloc double[TileRows];   // per row of the tile: Σ of the weights of its own {(forX ? "x_i" : "y_j")}");
                        w.Line("for (int r = 0; r < TileRows; r++) ownWeight[r] = 0.0;");
                    }
                    using (w.Block($"for (int {other} = 0; {other} < {otherCount}; {other}++)"))
                    {
                        if (!forX) EmitRowGradient(w, "continue");
                        w.Line($"var {otherRow} = batch.{(forX ? "Y" : "X")}Row({other});");
                        EmitLeaves(w, math, ownRows, own + "0", otherRow);
                        using (w.Block("for (int r = 0; r < rows; r++)"))
                        {
                            w.Line($"int {own} = {own}0 + r;");
                            // Scalar stores: a vectorised Span.Clear here would leave the upper AVX state dirty
                            // and make every following libm exp pay for the transition (measured 5× slower).
                            if (otherTerm is not null) w.Line("weight[r] = 0.0;");
                            EmitSkip(w, graph);
                            if (forX) EmitRowGradient(w, "continue");
                            EmitFunction(w, math);
                            w.Line($"// {RegionDerivation.P.ToMath()} = {math.ReductionWeight.ToMath()}");
                            w.Line($"double {RegionDerivation.P.CSharp} = {math.ReductionWeight.ToCSharp()};");
                            foreach (var term in terms)
                            {
                                var coefficient = hoisted.TryGetValue(term.Coefficient, out var h) ? h : term.Coefficient;
                                var weight = (RegionDerivation.Grad * RegionDerivation.P * coefficient).Simplify();
                                var operand = term.Operand == RowOperand.X ? "x_i" : "y_j";
                                var mathWeight = (RegionDerivation.Grad * RegionDerivation.P * term.Coefficient).Simplify().ToMath();
                                w.Line($"// ∂L/∂{(forX ? "x_i" : "y_j")} += {mathWeight} · {operand}");
                                w.Line($"{(term.Operand == wrt ? "ownWeight" : "weight")}[r] {(term.Operand == wrt ? "+=" : "=")} {weight.ToCSharp()};");
                            }
                        }
                        if (otherTerm is not null)
                            w.Line($"{Runtime}.PairMath.AxpyRows(weight, {otherRow}, {grad}, {own}0, rows, d);");
                    }
                    if (ownTerm is not null)
                    {
                        w.Line("for (int r = 0; r < rows; r++)");
                        w.Line($"    {Runtime}.PairMath.Axpy(ownWeight[r], batch.{(forX ? "X" : "Y")}Row({own}0 + r), new global::System.Span<double>({grad}, ({own}0 + r) * d, d));");
                    }
                }
            }
        }

        /// <summary>∂L/∂x when x and y are one tensor: one pass over tiles of rows i, visiting each pair
        /// as (i, j) (row i as x) and as (j, i) (row i as y), so f_ij and the leaves are computed once.</summary>
        private static void EmitBackwardSelf(IndentedWriter w, RegionDerivation math, GraphText graph)
        {
            // (weight formula in row i's symbols, whether it multiplies row i's own vector)
            var contributions = math.GradX
                .Select(t => (Weight: (RegionDerivation.Grad * RegionDerivation.P * t.Coefficient).Simplify(), Own: t.Operand == RowOperand.X, AsX: true))
                .Concat(math.GradY.Select(t => (Weight: RegionDerivation.Transpose(RegionDerivation.Grad * RegionDerivation.P * t.Coefficient), Own: t.Operand == RowOperand.Y, AsX: false)))
                .ToList();
            var anyOther = contributions.Any(c => !c.Own);
            var anyOwn = contributions.Any(c => c.Own);

            using (w.Block($"public void BackwardSelf({Runtime}.PairBatch batch, double[] output, double[] grad, double[] dx)"))
            {
                w.Line("int n = batch.N, d = batch.D;");
                EmitCallLocals(w, math, graph);
                using (w.Block($"{ParallelFor}(0, (n + TileRows - 1) / TileRows, tile =>", "});"))
                {
                    w.Line($"int i0 = tile * TileRows, rows = {Math}.Min(TileRows, n - i0);");
                    EmitLeafBuffers(w, math);
                    if (anyOther) w.Line("global::System.Span<double> weight = stackalloc double[TileRows];   // per row of the tile: the weight of x_j");
                    if (anyOwn)
                    {
                        w.Line("global::System.Span<double> ownWeight = stackalloc double[TileRows];   // per row of the tile: Σ of the weights of its own x_i");
                        w.Line("for (int r = 0; r < TileRows; r++) ownWeight[r] = 0.0;");
                    }
                    using (w.Block("for (int j = 0; j < n; j++)"))
                    {
                        w.Line("double gj = grad[j], outj = output[j];");
                        w.Line("bool jPasses = gj != 0.0 && !double.IsNegativeInfinity(outj);   // an empty row passes no gradient");
                        w.Line("var xj = batch.XRow(j);");
                        EmitLeaves(w, math, "batch.X", "i0", "xj");
                        using (w.Block("for (int r = 0; r < rows; r++)"))
                        {
                            w.Line("int i = i0 + r;");
                            if (anyOther) w.Line("weight[r] = 0.0;");
                            EmitSkip(w, graph);
                            w.Line("double gi = grad[i], outi = output[i];");
                            w.Line($"// {RegionDerivation.F.ToMath()} = {math.Function.ToMath()} = f_ji");
                            w.Line($"double {RegionDerivation.F.CSharp} = {math.Function.ToCSharp()};");
                            foreach (var asX in new[] { true, false })
                            {
                                var (condition, symbol, formula) = asX
                                    ? ("gi != 0.0 && !double.IsNegativeInfinity(outi)", RegionDerivation.P, math.ReductionWeight)
                                    : ("jPasses", RegionDerivation.Q, math.TransposedWeight);
                                using (w.Block($"if ({condition})"))
                                {
                                    w.Line($"// row i as {(asX ? "x" : "y")}: {symbol.ToMath()} = {formula.ToMath()}");
                                    w.Line($"double {symbol.CSharp} = {formula.ToCSharp()};");
                                    foreach (var c in contributions.Where(c => c.AsX == asX))
                                    {
                                        w.Line($"// ∂L/∂x_i += {c.Weight.ToMath()} · {(c.Own ? "x_i" : "x_j")}");
                                        w.Line($"{(c.Own ? "ownWeight" : "weight")}[r] += {c.Weight.ToCSharp()};");
                                    }
                                }
                            }
                        }
                        if (anyOther) w.Line($"{Runtime}.PairMath.AxpyRows(weight, xj, dx, i0, rows, d);");
                    }
                    if (anyOwn)
                    {
                        w.Line("for (int r = 0; r < rows; r++)");
                        w.Line($"    {Runtime}.PairMath.Axpy(ownWeight[r], batch.XRow(i0 + r), new global::System.Span<double>(dx, (i0 + r) * d, d));");
                    }
                }
            }
        }

        /// <summary>g_i and out_i, skipping a row that passes no gradient.</summary>
        private static void EmitRowGradient(IndentedWriter w, string skip)
        {
            w.Line("double gi = grad[i], outi = output[i];");
            w.Line($"if (gi == 0.0 || double.IsNegativeInfinity(outi)) {skip};   // an empty row passes no gradient");
        }

        /// <summary>The per-call locals the loops read: the scale and the labels.</summary>
        private static void EmitCallLocals(IndentedWriter w, RegionDerivation math, GraphText graph)
        {
            if (math.Function.Atoms().Contains(RegionDerivation.Scale)) w.Line("double scale = batch.Scale;");
            if (graph.NeedsLabels) w.Line("long[] labels = batch.Labels!;");
        }

        /// <summary>One buffer per leaf, holding its values for the tile's pairs.</summary>
        private static void EmitLeafBuffers(IndentedWriter w, RegionDerivation math)
        {
            foreach (var leaf in math.Leaves)
                w.Line($"global::System.Span<double> {leaf.Buffer} = stackalloc double[TileRows];   // {leaf.ToMath()} for the tile's pairs");
        }

        /// <summary>The leaves of one row against the tile's rows, with one vectorised primitive call each.</summary>
        private static void EmitLeaves(IndentedWriter w, RegionDerivation math, string tileRows, string first, string row)
        {
            foreach (var leaf in math.Leaves)
                w.Line($"{Runtime}.PairMath.{leaf.Primitive}({tileRows}, {first}, rows, d, {row}, {leaf.Buffer});");
        }

        /// <summary>Inside the pair loop: f_ij from the leaves.</summary>
        private static void EmitFunction(IndentedWriter w, RegionDerivation math)
        {
            w.Line($"// {RegionDerivation.F.ToMath()} = {math.Function.ToMath()}");
            w.Line($"double {RegionDerivation.F.CSharp} = {math.Function.ToCSharp()};");
        }

        internal static void EmitSkip(IndentedWriter w, GraphText graph)
        {
            if (graph.SkipCSharp.Count == 0) return;
            w.Line($"if ({string.Join(" || ", graph.SkipCSharp)}) continue;   // (i, j) outside the graph");
        }

        /// <summary>The region's graph as C# skip conditions and as set notation.</summary>
        internal sealed class GraphText
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

        internal static string Bool(bool value) => value ? "true" : "false";

        internal static string Xml(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

        internal static string Literal(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
    }
}
