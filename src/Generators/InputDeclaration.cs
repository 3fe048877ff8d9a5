using System.Linq;
using LossDsl.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LossDsl.Generators
{
    /// <summary>Reads what a term parameter declares about its input: <c>[Dims(...)]</c> and <c>[Ignore(index)]</c>.</summary>
    internal static class InputDeclaration
    {
        /// <summary>The input's attribute, or null after reporting LD0016 on the offending attribute.</summary>
        public static InputAttr? Read(IParameterSymbol parameter, ParameterSyntax syntax, ValueKind kind, string term, DiagnosticBag diagnostics)
        {
            var dims = EquatableArray<string>.Empty;
            long? ignore = null;
            var ok = true;
            foreach (var attribute in parameter.GetAttributes())
            {
                var at = (SyntaxNode?)attribute.ApplicationSyntaxReference?.GetSyntax() ?? syntax;
                if (Symbols.Is(attribute.AttributeClass, "DimsAttribute"))
                {
                    var values = attribute.ConstructorArguments.FirstOrDefault();
                    var names = values.Kind == TypedConstantKind.Array ? values.Values.Select(v => v.Value as string).ToArray() : new string?[0];
                    var problem = names.Length == 0 ? "[Dims] needs at least one dimension (a Real input has none)"
                        : kind == ValueKind.Real ? "a Real input has no dimensions"
                        : names.FirstOrDefault(n => !IsDimension(n)) is { } bad || names.Any(n => n is null) ? $"'{names.FirstOrDefault(n => !IsDimension(n))}' is not a dimension name (a letter or '_' then letters, digits, '_'; or a positive size)"
                        : null;
                    if (problem is not null)
                    {
                        diagnostics.Add(Diagnostics.BadDims, at, parameter.Name, term, problem);
                        ok = false;
                        continue;
                    }
                    dims = names.Select(n => n!).ToEquatableArray();
                }
                else if (Symbols.Is(attribute.AttributeClass, "IgnoreAttribute"))
                {
                    if (kind != ValueKind.Labels)
                    {
                        diagnostics.Add(Diagnostics.BadDims, at, parameter.Name, term, $"[Ignore] applies to Labels, not {kind}");
                        ok = false;
                        continue;
                    }
                    ignore = attribute.ConstructorArguments.FirstOrDefault().Value is long l ? l : null;
                }
            }
            return ok ? new InputAttr(parameter.Name, dims, ignore) : null;
        }

        /// <summary>How a declaration reads in a message: <c>[Dims("K", "D")]</c>, <c>[Ignore(-100)]</c>, or "the default dimensions".</summary>
        public static string Show(InputAttr attr)
        {
            var dims = attr.Dims.Count == 0 ? "the default dimensions" : "[Dims(" + string.Join(", ", attr.Dims.Select(d => "\"" + d + "\"")) + ")]";
            return attr.IgnoreIndex is { } i ? $"{dims} with [Ignore({i})]" : dims;
        }

        private static bool IsDimension(string? name)
        {
            if (name is null || name.Length == 0) return false;
            if (name.All(char.IsDigit)) return TypeInference.IsLiteral(name, out var size) && size > 0;
            return (char.IsLetter(name[0]) || name[0] == '_') && name.All(c => char.IsLetterOrDigit(c) || c == '_');
        }
    }
}
