using System;
using System.Globalization;
using LossDsl.Ir;
using Microsoft.CodeAnalysis;

namespace LossDsl.Generators
{
    /// <summary>Questions about Roslyn symbols that the parser asks often.</summary>
    internal static class Symbols
    {
        public const string DslNamespace = "LossDsl";

        /// <summary>Whether <paramref name="type"/> is <c>LossDsl.{name}</c>.</summary>
        public static bool Is(ITypeSymbol? type, string name) =>
            type is not null && type.Name == name && type.ContainingNamespace?.ToDisplayString() == DslNamespace;

        /// <summary>The kind of a DSL value type (Logits, Labels, ...), or null.</summary>
        public static ValueKind? DslKind(ITypeSymbol? type) =>
            type is not null && type.ContainingNamespace?.ToDisplayString() == DslNamespace ? OpCatalog.KindOfDslType(type.Name) : null;

        /// <summary>The numeric type of the C# types the DSL accepts as numbers (int, float, double), else null.</summary>
        public static NumericType? NumericType(ITypeSymbol? type) => type?.SpecialType switch
        {
            SpecialType.System_Int32 => Ir.NumericType.Int,
            SpecialType.System_Single => Ir.NumericType.Float,
            SpecialType.System_Double => Ir.NumericType.Double,
            _ => null,
        };

        public static double? ToDouble(object? value) => value switch
        {
            double d => d,
            float f => f,
            int i => i,
            long l => l,
            short s => s,
            byte b => b,
            decimal m => (double)m,
            _ => null,
        };

        public static string Show(double value) => value.ToString("R", CultureInfo.InvariantCulture);

        /// <summary>A short display name: DSL types without namespace.</summary>
        public static string Name(ITypeSymbol? type)
        {
            if (type is null) return "?";
            if (type is INamedTypeSymbol { IsGenericType: true } generic && generic.Name == "FloatValue")
                return Name(generic.TypeArguments[0]);
            return type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
        }

        public static string Signature(IMethodSymbol method)
        {
            var parameters = string.Join(", ", Array.ConvertAll(System.Linq.Enumerable.ToArray(method.Parameters), p => Name(p.Type) + " " + p.Name));
            return method.Name + "(" + parameters + ")";
        }
    }
}
