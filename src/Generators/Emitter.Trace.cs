using System.Linq;
using LossDsl.Ir;

namespace LossDsl.Generators
{
    internal static partial class Emitter
    {
        /// <summary>The IR as the generator read it (hyper-parameters as symbols) and its shape plan.</summary>
        private static void EmitIr(IndentedWriter w, LossModel model)
        {
            var ir = model.Ir;
            w.Line();
            w.Line("/// <summary>The loss as the generator read it from the term bodies: one node per distinct subexpression.</summary>");
            w.Line(GeneratedCode);
            w.Line("public static global::LossDsl.Ir.LossIr Ir { get; } = __BuildIr();");
            w.Line();
            w.Line("// What Compute validates (ranks, symbolic dimensions, index ranges); declared after Ir, which it reads.");
            w.Line(GeneratedCode);
            w.Line("private static readonly global::LossDsl.Ir.ShapePlan __plan = global::LossDsl.Ir.TypeInference.Infer(Ir).Plan;");
            w.Line();
            w.Line(GeneratedCode);
            using (w.Block("private static global::LossDsl.Ir.LossIr __BuildIr()"))
            {
                w.Line("var __b = new global::LossDsl.Ir.IrBuilder();");
                foreach (var input in ir.Inputs)
                    w.Line($"__b.AddInput({Literal(input.Name)}, global::LossDsl.Ir.ValueKind.{input.Kind}, {Literal(input.FirstTerm)});");
                foreach (var node in ir.Nodes)
                {
                    var args = node.Args.Count == 0 ? "new int[0]" : $"new[] {{ {string.Join(", ", node.Args)} }}";
                    w.Line($"__b.Intern(global::LossDsl.Ir.OpCode.{node.Op}, global::LossDsl.Ir.ValueKind.{node.Kind}, {args}, " +
                           $"{node.Attr?.ToCSharp() ?? "null"}); // {node.Id}");
                }
                foreach (var hyper in ir.Hypers)
                    w.Line($"__b.AddHyper(new global::LossDsl.Ir.IrHyper({Literal(hyper.Name)}, global::LossDsl.Ir.NumericType.{hyper.Type}, " +
                           $"{NumberLiteral(hyper.Default, NumericType.Double)}{(hyper.Temperature ? ", Temperature: true" : "")}));");
                foreach (var term in ir.Terms)
                    w.Line($"__b.AddTerm({Literal(term.Name)}, {NumberLiteral(term.Weight, NumericType.Double)}, {term.Root}, {Literal(term.Source)});");
                w.Line("return __b.Build();");
            }
        }

        /// <summary><c>Trace()</c> runs the term methods on symbolic inputs: the DSL values record what they
        /// compute, giving the IR that the interpreter evaluates and that tests compare with <c>Ir</c>.</summary>
        private static void EmitTrace(IndentedWriter w, LossModel model)
        {
            w.Line();
            w.Line("/// <summary>Builds the IR by running the term methods on symbolic inputs, with this instance's");
            w.Line("/// hyper-parameter values as constants (checked first, as Compute checks them).</summary>");
            w.Line(GeneratedCode);
            using (w.Block("public global::LossDsl.Ir.LossIr Trace()"))
            {
                if (model.Ir.Hypers.Count > 0) w.Line("__ValidateHypers();");
                w.Line("var __b = new global::LossDsl.Ir.IrBuilder();");
                foreach (var (term, signature) in model.Ir.Terms.Zip(model.Terms, (t, s) => (t, s)))
                {
                    foreach (var p in signature.Parameters)
                        w.Line($"__b.AddInput({Literal(p.Name)}, global::LossDsl.Ir.ValueKind.{p.Kind}, {Literal(term.Name)});");
                    var args = signature.Parameters.Select(p =>
                    {
                        var input = p.Attr.Dims.Count == 0 && p.Attr.IgnoreIndex is null
                            ? $"{DslType(p.Kind)}.Input({Literal(p.Name)})"
                            : $"{DslType(p.Kind)}.Input({p.Attr.ToCSharp()})";
                        return p.Frozen && !OpCatalog.IsInteger(p.Kind) ? $"global::LossDsl.Dsl.Frozen({input})" : input;
                    });
                    w.Line($"__b.AddTerm({Literal(term.Name)}, {NumberLiteral(term.Weight, NumericType.Double)}, " +
                           $"{Id(signature.Method)}({string.Join(", ", args)}).Expr, {Literal(term.Source)});");
                }
                w.Line("return __b.Build();");
            }
        }
    }
}
