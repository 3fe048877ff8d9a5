using System.Collections.Generic;
using System.Linq;
using LossDsl.Ir;

namespace LossDsl.Generators.Fusion
{
    /// <summary>One generated formula struct and the regions that use it (regions with equal formulas, counts of
    /// row and column values and field names share one struct).</summary>
    internal sealed record FormulaStruct(string Name, FusedRegion First, EquatableArray<int> Regions);

    /// <summary>Writes a pair region's formula as a small struct implementing the runtime's <c>IPairFormula</c>:
    /// its host numbers as fields, f and its partials (<see cref="RegionDerivation"/>) as <c>IPairMath</c> calls,
    /// each under its formula in notation. The engine does the rest (metric, mask, reduction, loops, the chain rule
    /// through the metric), and the JIT (or ILGPU) specialises it for the struct.</summary>
    internal static class FormulaEmitter
    {
        public const string Kernels = "global::LossDsl.Runtime.Kernels";

        /// <summary>The distinct formula structs of <paramref name="regions"/>, in region order.</summary>
        public static IReadOnlyList<FormulaStruct> Structs(EquatableArray<FusedRegion> regions)
        {
            var structs = new List<(object Key, FusedRegion First, List<int> Regions)>();
            for (var k = 0; k < regions.Count; k++)
            {
                var region = regions[k];
                if (region.Shape != RegionShape.Pairs) continue;
                var key = (region.Formula, region.RowValues.Count, region.ColumnValues.Count, string.Join(",", region.Numbers.Select(n => n.Field)));
                var existing = structs.FindIndex(s => s.Key.Equals(key));
                if (existing >= 0) structs[existing].Regions.Add(k);
                else structs.Add((key, region, new List<int> { k }));
            }
            return structs.Select((s, i) => new FormulaStruct("__PairFormula" + i, s.First, s.Regions.ToEquatableArray())).ToList();
        }

        /// <param name="attribute">The attribute line every generated member carries (<c>[GeneratedCode(...)]</c>).</param>
        public static void EmitStruct(IndentedWriter w, LossIr ir, FormulaStruct formula, string attribute)
        {
            var region = formula.First;
            var math = RegionDerivation.For(region);
            var usedBy = string.Join(", ", formula.Regions.Select(r => "region " + r));
            w.Line($"/// <summary>The per-pair function of fused {usedBy}: <c>f_ij = {Xml(math.Function.ToMath())}</c>, with s_ij the");
            w.Line("/// relation at the pair, and its partial derivatives; the pairwise engine does the loops, the mask, the reduction");
            w.Line("/// and the chain rule through the metric.</summary>");
            // internal, not private: ILGPU compiles it (the generated assembly attribute lets ILGPURuntime see it).
            w.Line(attribute);
            using (w.Block($"internal struct {formula.Name} : {Kernels}.IPairFormula"))
            {
                foreach (var number in region.Numbers)
                {
                    w.Line($"/// <summary><c>{Xml(IrPrinter.Formula(ir, number.Node))}</c>.</summary>");
                    w.Line($"public double {number.Field};");
                }
                if (region.Numbers.Count > 0) w.Line();
                w.Line($"public static int RowValueCount => {region.RowValues.Count};");
                w.Line($"public static int ColumnValueCount => {region.ColumnValues.Count};");
                w.Line($"public static bool ReadsSecondRelation => {(math.ReadsSecondRelation ? "true" : "false")};");
                w.Line();
                var generic = $"<T, M>({Kernels}.PairInputs<T> p) where M : {Kernels}.IPairMath<T>";
                w.Line($"// f = {math.Function.ToMath()}");
                using (w.Block($"public T Value{generic}"))
                {
                    var locals = new Locals(w, new[] { math.Function });
                    w.Line($"return {math.Function.ToEngine(locals.Name)};");
                }
                w.Line();
                foreach (var (field, derivative) in math.Partials)
                    w.Line($"// ∂f/∂{Leaf(field)} = {derivative.ToMath()}");
                using (w.Block($"public {Kernels}.PairPartials<T> Partials{generic}"))
                {
                    var outputs = new[] { math.Function }.Concat(math.Partials.Select(p => p.Derivative)).ToList();
                    var locals = new Locals(w, outputs);
                    var fields = new List<string> { $"F = {math.Function.ToEngine(locals.Name)}" };
                    foreach (var (field, derivative) in math.Partials)
                        if (!derivative.IsZero) fields.Add($"{field} = {derivative.ToEngine(locals.Name)}");
                    w.Line($"return new {Kernels}.PairPartials<T> {{ {string.Join(", ", fields)} }};");
                }
            }
        }

        /// <summary>The notation of a <c>PairPartials</c> field's leaf.</summary>
        private static string Leaf(string field) => field switch
        {
            "S" => FormulaSymbols.S.Math,
            "R0" => FormulaSymbols.Rows[0].Math,
            "R1" => FormulaSymbols.Rows[1].Math,
            "C0" => FormulaSymbols.Columns[0].Math,
            _ => FormulaSymbols.Columns[1].Math,
        };

        /// <summary>Common subformulas of a method's outputs, computed once as locals <c>t0</c>, <c>t1</c>, …
        /// (each under its notation), declared the first time an output needs them.</summary>
        private sealed class Locals
        {
            private readonly IndentedWriter _w;
            private readonly Dictionary<PairFormula, int> _uses = new();
            private readonly Dictionary<PairFormula, string> _names = new();

            public Locals(IndentedWriter w, IEnumerable<PairFormula> outputs)
            {
                _w = w;
                foreach (var output in outputs) Count(output);
            }

            private void Count(PairFormula f)
            {
                if (IsCheap(f)) return;
                _uses[f] = _uses.TryGetValue(f, out var n) ? n + 1 : 1;
                if (_uses[f] > 1) return;   // its parts are counted once: they live inside the local
                switch (f)
                {
                    case Unary u: Count(u.Arg); break;
                    case Binary b: Count(b.Left); Count(b.Right); break;
                }
            }

            private static bool IsCheap(PairFormula f) =>
                f is Constant or Symbol || f is Unary { Op: UnaryOp.Neg or UnaryOp.StopGradient, Arg: Constant or Symbol };

            /// <summary>The local holding <paramref name="f"/> (declared now if it is not yet), or null to print it inline.</summary>
            public string? Name(PairFormula f)
            {
                if (!_uses.TryGetValue(f, out var uses) || uses < 2) return null;
                if (_names.TryGetValue(f, out var name)) return name;
                var text = f.PrintEngine(Name);
                name = "t" + _names.Count;
                _w.Line($"var {name} = {text};   // {f.ToMath()}");
                _names[f] = name;
                return name;
            }
        }

        private static string Xml(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
    }
}
