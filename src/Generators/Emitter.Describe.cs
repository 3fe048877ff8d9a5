using System.Linq;
using LossDsl.Ir;

namespace LossDsl.Generators
{
    internal static partial class Emitter
    {
        /// <summary><c>Describe()</c>: the total as a weighted sum, each term's formula, the hyper values.</summary>
        private static void EmitDescribe(IndentedWriter w, LossModel model)
        {
            var ir = model.Ir;
            w.Line();
            w.Line("/// <summary>The formula of every term, with the current hyper-parameter values.</summary>");
            w.Line(GeneratedCode);
            using (w.Block("public string Describe()"))
            {
                w.Line("var __text = new global::System.Text.StringBuilder();");
                var sum = string.Join(" + ", ir.Terms.Select(t => $"{IrPrinter.FormatNumber(t.Weight)} · {t.Name}"));
                w.Line($"__text.Append({Literal($"{model.ClassName} = {sum}\n")});");
                foreach (var term in ir.Terms)
                    w.Line($"__text.Append({Literal($"  {term.Name} = {IrPrinter.Formula(ir, term.Root)}\n")});");
                if (ir.Hypers.Count > 0)
                {
                    var values = ir.Hypers.Select(h =>
                        $"{Literal(h.Name + " = ")} + this.{Id(h.Name)}.ToString(global::System.Globalization.CultureInfo.InvariantCulture)");
                    w.Line($"__text.Append(\"  where \").Append({string.Join(" + \", \" + ", values)}).Append('\\n');");
                }
                w.Line("return __text.ToString();");
            }
        }
    }
}
