using System.Collections.Generic;
using System.Linq;
using LossDsl.Ir;

namespace LossDsl.Generators.Fusion
{
    /// <summary>Writes a fused masked pair sum's kernel: <c>S_i = Σ_{j ∈ G(i)} f_ij</c> with f an element-wise
    /// formula of <c>⟨x_i, y_j⟩</c>, per-row values v_i and host numbers, and its backward passes, with
    /// ∂f/∂⟨x_i, y_j⟩ and ∂f/∂v_i derived symbolically by <see cref="PairFormula"/>. The reduction of S
    /// (row sum, row mean, sum, mean) and the per-row weights <c>w_i = ∂L/∂S_i</c> are the runtime's
    /// (<c>FusedPairSumFunction</c>); nothing here holds an N×M matrix.</summary>
    internal static class SumKernelEmitter
    {
        private const string Runtime = "global::LossDsl.Runtime.Fused";
        private const string Tensor = "global::TorchSharp.torch.Tensor";
        private const string Math = "global::System.Math";
        private const string ParallelFor = "global::System.Threading.Tasks.Parallel.For";

        private static readonly Symbol WeightI = new("wi", "w_i", FormulaScope.Row);
        private static readonly Symbol WeightJ = new("wj", "w_j", FormulaScope.Pair);

        /// <summary>The calculus of one pair sum.</summary>
        private sealed class Derivation
        {
            public Derivation(FusedRegion region)
            {
                Function = region.Summand!;
                DotDerivative = Function.Derivative(PairLeaf.Dot);
                ValueDerivatives = region.RowValues
                    .Select((node, k) => (Node: node, Index: k, Derivative: Function.Derivative(FusionPlanner.RowValue(node))))
                    .Where(t => !t.Derivative.IsZero).ToList();
                TransposedDotDerivative = ToRowJ(region, DotDerivative);
            }

            public PairFormula Function { get; }

            /// <summary>The weighted gradients of row i's pair: <c>w_i · ∂f/∂dot</c>, then <c>w_i · ∂f/∂v_k</c>
            /// in <see cref="ValueDerivatives"/>' order.</summary>
            public List<PairFormula> RowIGradients =>
                new[] { DotDerivative }.Concat(ValueDerivatives.Select(t => t.Derivative))
                    .Select(d => (WeightI * d).Simplify()).ToList();

            /// <summary>∂f_ij/∂⟨x_i, y_j⟩.</summary>
            public PairFormula DotDerivative { get; }

            /// <summary>∂f_ji/∂⟨x_j, x_i⟩ for a self relation: ∂f/∂⟨x_i, y_j⟩ with row j's values.</summary>
            public PairFormula TransposedDotDerivative { get; }

            /// <summary>∂f_ij/∂v_i for each row value that f depends on.</summary>
            public List<(int Node, int Index, PairFormula Derivative)> ValueDerivatives { get; }

            private static PairFormula ToRowJ(FusedRegion region, PairFormula formula) =>
                formula.Substitute(a => a is Symbol s && region.RowValues.Any(v => FusionPlanner.RowValue(v) == s)
                    ? FusionPlanner.RowValueAtJ(region.RowValues.First(v => FusionPlanner.RowValue(v) == s))
                    : null).Simplify();
        }

        public static void EmitRegionClass(IndentedWriter w, LossIr ir, FusedRegion region, int index)
        {
            var math = new Derivation(region);
            var graph = new KernelEmitter.GraphText(region);
            var f = math.Function.ToMath();
            var formula = ReducedMath(region, graph, math.Function is Binary { Op: BinaryOp.Add or BinaryOp.Sub } ? "(" + f + ")" : f);
            var name = KernelEmitter.ClassName(index);

            EmitHeader(w, ir, region, index, math, graph, formula);
            using (w.Block($"private sealed class {name} : {Runtime}.IFusedPairSumKernel"))
            {
                w.Line($"private static readonly {name} Instance = new {name}();");
                w.Line();
                w.Line("/// <summary>Rows per tile: each row of the other operand is read once per tile.</summary>");
                w.Line("private const int TileRows = 16;");
                w.Line();
                w.Line($"/// <summary><c>{KernelEmitter.Xml(formula)}</c>, differentiable in x, y and the row values");
                w.Line("/// (pass one tensor twice for a self relation). <paramref name=\"constants\"/> are the host numbers c_k.</summary>");
                w.Line($"public static {Tensor} Apply({Tensor} x, {Tensor} y, {Tensor}? labels, double[] constants, {Tensor}[] rowValues) =>");
                w.Line($"    {Runtime}.FusedPairSumFunction.Apply(Instance, {Runtime}.PairReduction.{region.Reduction}, x, y, labels, constants, rowValues);");
                w.Line();
                w.Line($"public string Formula => {KernelEmitter.Literal(formula)};");
                w.Line();
                w.Line($"public {Runtime}.PairGraph Graph => new {Runtime}.PairGraph(NeedsLabels: {KernelEmitter.Bool(graph.NeedsLabels)}, ExcludesSelf: {KernelEmitter.Bool(region.ExcludeSelf)});");
                w.Line();
                EmitForward(w, region, math, graph);
                w.Line();
                EmitBackwardX(w, region, math, graph);
                w.Line();
                EmitBackwardY(w, region, math, graph);
                w.Line();
                EmitBackwardSelf(w, region, math, graph);
            }
        }

        private static string ReducedMath(FusedRegion region, KernelEmitter.GraphText graph, string f) => region.Reduction switch
        {
            "RowSum" => $"out_i = Σ_{graph.Over("j")} {f}",
            "RowMean" => $"out_i = mean_{graph.Over("j")} {f}",
            "Sum" => $"out = Σ_i Σ_{graph.Over("j")} {f}",
            _ => $"out = mean_{{(i, j) : j ∈ G(i)}} {f}",
        };

        private static void EmitHeader(IndentedWriter w, LossIr ir, FusedRegion region, int index,
            Derivation math, KernelEmitter.GraphText graph, string formula)
        {
            w.Line($"// Fused region {index}: computes v{region.Root} = {IrPrinter.Formula(ir, region.Root)}");
            w.Line($"//   {formula}");
            var where = new List<string>();
            var x = IrPrinter.Formula(ir, region.X);
            where.Add(region.X == region.Y ? $"x = y = {x} (one operand: its gradient sums both parts)" : $"x = {x}, y = {IrPrinter.Formula(ir, region.Y)}");
            if (graph.NeedsLabels) where.Add($"ℓ = {IrPrinter.Formula(ir, region.Labels)}");
            if (region.Reduction == "Mean") where.Add($"G(i) = {graph.Over("j")}");
            w.Line($"//   where {string.Join(", ", where)}");
            foreach (var v in region.RowValues)
                w.Line($"//   v{v} = {IrPrinter.Formula(ir, v)} (a row value, read at row i; the kernel also returns ∂L/∂v{v}_i)");
            w.Line("// Derived per pair (PairFormula):");
            w.Line($"//   f_ij = {math.Function.ToMath()}");
            w.Line($"//   ∂f_ij/∂{PairLeaf.Dot.ToMath()} = {math.DotDerivative.ToMath()}");
            foreach (var (node, _, derivative) in math.ValueDerivatives)
                w.Line($"//   ∂f_ij/∂v{node}_i = {derivative.ToMath()}");
            var reductionWeight = region.Reduction switch
            {
                "RowSum" => "g_i",
                "RowMean" => "g_i / |G(i)| (0 for an empty row)",
                "Sum" => "g",
                _ => "g / Σ_i |G(i)| (0 when no pair is selected)",
            };
            w.Line($"// Backward, with w_i = ∂L/∂(Σ_j f_ij) = {reductionWeight}:");
            w.Line($"//   ∂L/∂x_i = Σ_{graph.Over("j")} {Weighted(WeightI, math.DotDerivative)} · y_j");
            w.Line($"//   ∂L/∂y_j = Σ_{graph.Over("i")} {Weighted(WeightI, math.DotDerivative)} · x_i");
            foreach (var (node, _, derivative) in math.ValueDerivatives)
                w.Line($"//   ∂L/∂v{node}_i = Σ_{graph.Over("j")} {Weighted(WeightI, derivative)}");
            if (region.X == region.Y)
            {
                w.Line("//   one tensor as x and y (the graph is symmetric; row j's values in the second part):");
                w.Line($"//   ∂L/∂x_i = Σ_{graph.Over("j")} {Weighted(PairFormula.One, WeightI * math.DotDerivative + WeightJ * math.TransposedDotDerivative)} · x_j");
            }
            w.Line("// Forward: one pass over j per tile of rows i. Backward: one pass over j per tile of rows i for ∂x");
            w.Line("// and ∂v, one over i per tile of rows j for ∂y, or a single pass for one tensor; each row is");
            w.Line("// accumulated by one thread, in index order. Memory O(N·D + M·D): no N×M buffer.");
        }

        /// <summary>Function calls (σ, exp, …) that several of <paramref name="formulas"/> evaluate are computed
        /// once, into locals <c>u0</c>, <c>u1</c>, …; returns the formulas reading those locals.</summary>
        private static List<PairFormula> EmitShared(IndentedWriter w, List<PairFormula> formulas)
        {
            var calls = formulas.Select(f => new HashSet<PairFormula>(Subterms(f).Where(t => t is Unary { Op: not UnaryOp.Neg }))).ToList();
            var shared = calls.SelectMany(c => c).Distinct()
                .Where(t => calls.Count(c => c.Contains(t)) >= 2)
                .OrderByDescending(t => Subterms(t).Count()).ToList();
            var result = formulas.ToList();
            var k = 0;
            foreach (var call in shared)
            {
                if (!result.Any(f => Subterms(f).Contains(call))) continue;   // inside a larger shared call
                var local = new Symbol("u" + k++, call.ToMath(), FormulaScope.Pair);
                w.Line($"double {local.CSharp} = {call.ToCSharp()};   // {call.ToMath()}");
                result = result.Select(f => Replace(f, call, local)).ToList();
            }
            return result;
        }

        private static IEnumerable<PairFormula> Subterms(PairFormula f)
        {
            yield return f;
            var children = f switch
            {
                Unary u => new[] { u.Arg },
                Binary b => new[] { b.Left, b.Right },
                _ => new PairFormula[0],
            };
            foreach (var child in children)
                foreach (var t in Subterms(child)) yield return t;
        }

        private static PairFormula Replace(PairFormula f, PairFormula target, PairFormula with) =>
            f == target ? with : f switch
            {
                Unary u => new Unary(u.Op, Replace(u.Arg, target, with)),
                Binary b => new Binary(b.Op, Replace(b.Left, target, with), Replace(b.Right, target, with)),
                _ => f,
            };

        /// <summary><c>w · f</c>, simplified, in notation; parenthesised when it is a sum (it is then multiplied by a row).</summary>
        private static string Weighted(PairFormula weight, PairFormula f)
        {
            var product = (weight * f).Simplify();
            var text = product.ToMath();
            return product is Binary { Op: BinaryOp.Add or BinaryOp.Sub } ? "(" + text + ")" : text;
        }

        private static void EmitCallLocals(IndentedWriter w, FusedRegion region, KernelEmitter.GraphText graph)
        {
            for (var k = 0; k < region.Numbers.Count; k++)
                w.Line($"double c{k} = batch.Constants[{k}];");
            if (graph.NeedsLabels) w.Line("long[] labels = batch.Labels!;");
            for (var k = 0; k < region.RowValues.Count; k++)
                w.Line($"double[] v{region.RowValues[k]} = batch.RowValues[{k}];");
        }

        private static void EmitRowValues(IndentedWriter w, FusedRegion region, string row)
        {
            foreach (var v in region.RowValues) w.Line($"double v{v}_{row} = v{v}[{row}];");
        }

        private static void EmitForward(IndentedWriter w, FusedRegion region, Derivation math, KernelEmitter.GraphText graph)
        {
            using (w.Block($"public void Forward({Runtime}.PairBatch batch, double[] sums, double[] counts)"))
            {
                w.Line("int n = batch.N, m = batch.M, d = batch.D;");
                EmitCallLocals(w, region, graph);
                using (w.Block($"{ParallelFor}(0, (n + TileRows - 1) / TileRows, tile =>", "});"))
                {
                    w.Line($"int i0 = tile * TileRows, rows = {Math}.Min(TileRows, n - i0);");
                    w.Line("global::System.Span<double> dot = stackalloc double[TileRows];   // ⟨x_i, y_j⟩ for the tile's pairs");
                    w.Line("global::System.Span<double> sum = stackalloc double[TileRows], count = stackalloc double[TileRows];");
                    w.Line("for (int r = 0; r < TileRows; r++) { sum[r] = 0.0; count[r] = 0.0; }");
                    using (w.Block("for (int j = 0; j < m; j++)"))
                    {
                        w.Line("var yj = batch.YRow(j);");
                        w.Line($"{Runtime}.PairMath.DotRows(batch.X, i0, rows, d, yj, dot);");
                        using (w.Block("for (int r = 0; r < rows; r++)"))
                        {
                            w.Line("int i = i0 + r;");
                            KernelEmitter.EmitSkip(w, graph);
                            EmitRowValues(w, region, "i");
                            w.Line($"// f_ij = {math.Function.ToMath()}");
                            w.Line($"sum[r] += {math.Function.ToCSharp()};");
                            w.Line("count[r] += 1.0;");
                        }
                    }
                    w.Line("for (int r = 0; r < rows; r++) { sums[i0 + r] = sum[r]; counts[i0 + r] = count[r]; }");
                }
            }
        }

        private static void EmitBackwardX(IndentedWriter w, FusedRegion region, Derivation math, KernelEmitter.GraphText graph)
        {
            using (w.Block($"public void BackwardX({Runtime}.PairBatch batch, double[] rowWeight, double[] dx, double[][] dv)"))
            {
                w.Line("int n = batch.N, m = batch.M, d = batch.D;");
                EmitCallLocals(w, region, graph);
                using (w.Block($"{ParallelFor}(0, (n + TileRows - 1) / TileRows, tile =>", "});"))
                {
                    w.Line($"int i0 = tile * TileRows, rows = {Math}.Min(TileRows, n - i0);");
                    w.Line("global::System.Span<double> dot = stackalloc double[TileRows];   // ⟨x_i, y_j⟩ for the tile's pairs");
                    w.Line("global::System.Span<double> pairWeight = stackalloc double[TileRows];   // per row of the tile: the weight of y_j");
                    using (w.Block("for (int j = 0; j < m; j++)"))
                    {
                        w.Line("var yj = batch.YRow(j);");
                        w.Line($"{Runtime}.PairMath.DotRows(batch.X, i0, rows, d, yj, dot);");
                        using (w.Block("for (int r = 0; r < rows; r++)"))
                        {
                            w.Line("int i = i0 + r;");
                            w.Line("pairWeight[r] = 0.0;");
                            KernelEmitter.EmitSkip(w, graph);
                            w.Line("double wi = rowWeight[i];");
                            w.Line("if (wi == 0.0) continue;   // an empty row (or one without gradient) passes none");
                            EmitRowValues(w, region, "i");
                            var code = EmitShared(w, math.RowIGradients);
                            w.Line($"// ∂L/∂x_i += {Weighted(WeightI, math.DotDerivative)} · y_j");
                            w.Line($"pairWeight[r] = {code[0].ToCSharp()};");
                            foreach (var (node, k, derivative) in math.ValueDerivatives)
                            {
                                w.Line($"// ∂L/∂v{node}_i += {Weighted(WeightI, derivative)}");
                                w.Line($"dv[{k}][i] += {code[1 + math.ValueDerivatives.FindIndex(t => t.Index == k)].ToCSharp()};");
                            }
                        }
                        w.Line($"{Runtime}.PairMath.AxpyRows(pairWeight, yj, dx, i0, rows, d);");
                    }
                }
            }
        }

        private static void EmitBackwardY(IndentedWriter w, FusedRegion region, Derivation math, KernelEmitter.GraphText graph)
        {
            using (w.Block($"public void BackwardY({Runtime}.PairBatch batch, double[] rowWeight, double[] dy)"))
            {
                w.Line("int n = batch.N, m = batch.M, d = batch.D;");
                EmitCallLocals(w, region, graph);
                using (w.Block($"{ParallelFor}(0, (m + TileRows - 1) / TileRows, tile =>", "});"))
                {
                    w.Line($"int j0 = tile * TileRows, rows = {Math}.Min(TileRows, m - j0);");
                    w.Line("global::System.Span<double> dot = stackalloc double[TileRows];   // ⟨x_i, y_j⟩ for the tile's pairs");
                    w.Line("global::System.Span<double> pairWeight = stackalloc double[TileRows];   // per row of the tile: the weight of x_i");
                    using (w.Block("for (int i = 0; i < n; i++)"))
                    {
                        w.Line("double wi = rowWeight[i];");
                        w.Line("if (wi == 0.0) continue;   // an empty row (or one without gradient) passes none");
                        w.Line("var xi = batch.XRow(i);");
                        EmitRowValues(w, region, "i");
                        w.Line($"{Runtime}.PairMath.DotRows(batch.Y, j0, rows, d, xi, dot);");
                        using (w.Block("for (int r = 0; r < rows; r++)"))
                        {
                            w.Line("int j = j0 + r;");
                            w.Line("pairWeight[r] = 0.0;");
                            KernelEmitter.EmitSkip(w, graph);
                            w.Line($"// ∂L/∂y_j += {Weighted(WeightI, math.DotDerivative)} · x_i");
                            w.Line($"pairWeight[r] = {(WeightI * math.DotDerivative).Simplify().ToCSharp()};");
                        }
                        w.Line($"{Runtime}.PairMath.AxpyRows(pairWeight, xi, dy, j0, rows, d);");
                    }
                }
            }
        }

        private static void EmitBackwardSelf(IndentedWriter w, FusedRegion region, Derivation math, KernelEmitter.GraphText graph)
        {
            using (w.Block($"public void BackwardSelf({Runtime}.PairBatch batch, double[] rowWeight, double[] dx, double[][] dv)"))
            {
                w.Line("int n = batch.N, d = batch.D;");
                EmitCallLocals(w, region, graph);
                using (w.Block($"{ParallelFor}(0, (n + TileRows - 1) / TileRows, tile =>", "});"))
                {
                    w.Line($"int i0 = tile * TileRows, rows = {Math}.Min(TileRows, n - i0);");
                    w.Line("global::System.Span<double> dot = stackalloc double[TileRows];   // ⟨x_i, x_j⟩ for the tile's pairs");
                    w.Line("global::System.Span<double> pairWeight = stackalloc double[TileRows];   // per row of the tile: the weight of x_j");
                    using (w.Block("for (int j = 0; j < n; j++)"))
                    {
                        w.Line("double wj = rowWeight[j];");
                        EmitRowValues(w, region, "j");
                        w.Line("var xj = batch.XRow(j);");
                        w.Line($"{Runtime}.PairMath.DotRows(batch.X, i0, rows, d, xj, dot);");
                        using (w.Block("for (int r = 0; r < rows; r++)"))
                        {
                            w.Line("int i = i0 + r;");
                            w.Line("pairWeight[r] = 0.0;");
                            KernelEmitter.EmitSkip(w, graph);
                            w.Line("double wi = rowWeight[i];");
                            using (w.Block("if (wi != 0.0)"))
                            {
                                EmitRowValues(w, region, "i");
                                var code = EmitShared(w, math.RowIGradients);
                                w.Line($"// row i as x: ∂L/∂x_i += {Weighted(WeightI, math.DotDerivative)} · x_j");
                                w.Line($"pairWeight[r] += {code[0].ToCSharp()};");
                                foreach (var (node, k, derivative) in math.ValueDerivatives)
                                {
                                    w.Line($"// ∂L/∂v{node}_i += {Weighted(WeightI, derivative)}");
                                    w.Line($"dv[{k}][i] += {code[1 + math.ValueDerivatives.FindIndex(t => t.Index == k)].ToCSharp()};");
                                }
                            }
                            using (w.Block("if (wj != 0.0)"))
                            {
                                w.Line($"// row i as y of row j: ∂L/∂x_i += {Weighted(WeightJ, math.TransposedDotDerivative)} · x_j");
                                w.Line($"pairWeight[r] += {(WeightJ * math.TransposedDotDerivative).Simplify().ToCSharp()};");
                            }
                        }
                        w.Line($"{Runtime}.PairMath.AxpyRows(pairWeight, xj, dx, i0, rows, d);");
                    }
                }
            }
        }
    }
}
