using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LossDsl.Generators
{
    /// <summary>Names the generated code declares, which the class, its members (terms, hyper-parameters, anything
    /// else) and inputs must not reuse.</summary>
    internal static class ReservedNames
    {
        /// <summary>The members the generated part of a [Loss] class declares (besides names starting with __).</summary>
        public static readonly string[] Members =
            { "Compute", "Describe", "Trace", "Ir", "Name", "Inputs", "HyperValues", "UseFusedKernels", "NonFiniteInputs",
              "MinimumFusedPairs", "FusedRegions", "GeneratedSource" };

        private static readonly Regex Locals = new("^(__.*|v[0-9]+|raw_.*|weighted_.*)$");

        /// <summary>A term or hyper-parameter name; reports LD0013 and returns false when it is taken.</summary>
        public static bool CheckMember(string name, SyntaxToken at, DiagnosticBag diagnostics)
        {
            if (Members.Contains(name)) diagnostics.Add(Diagnostics.ReservedName, at, name, "a generated member");
            else if (name.StartsWith("__")) diagnostics.Add(Diagnostics.ReservedName, at, name, "generated members start with __");
            else return true;
            return false;
        }

        /// <summary>The class itself: a type cannot have a member named like it (CS0542), so a class named after a
        /// generated member could not receive it.</summary>
        public static void CheckClass(INamedTypeSymbol type, SyntaxToken at, DiagnosticBag diagnostics)
        {
            if (Members.Contains(type.Name))
                diagnostics.Add(Diagnostics.ReservedName, at, type.Name, "a generated member, which a class cannot have under its own name");
        }

        /// <summary>Every other member of the class (methods, properties, fields, events, nested types): one named like
        /// a generated member would clash with it in the generated part (terms and hyper-parameters are checked where
        /// they are parsed).</summary>
        public static void CheckMembers(IEnumerable<MemberDeclarationSyntax> members, Func<SyntaxNode, SemanticModel> modelOf, DiagnosticBag diagnostics)
        {
            foreach (var member in members)
            {
                IEnumerable<SyntaxToken> names = member switch
                {
                    MethodDeclarationSyntax m when m.ExplicitInterfaceSpecifier is null => new[] { m.Identifier },
                    PropertyDeclarationSyntax p when p.ExplicitInterfaceSpecifier is null => new[] { p.Identifier },
                    EventDeclarationSyntax e when e.ExplicitInterfaceSpecifier is null => new[] { e.Identifier },
                    BaseTypeDeclarationSyntax t => new[] { t.Identifier },
                    DelegateDeclarationSyntax d => new[] { d.Identifier },
                    BaseFieldDeclarationSyntax f => f.Declaration.Variables.Select(v => v.Identifier),
                    _ => Array.Empty<SyntaxToken>(),
                };
                foreach (var name in names)
                {
                    if (!Members.Contains(name.ValueText) && !name.ValueText.StartsWith("__")) continue;
                    var node = member is BaseFieldDeclarationSyntax field
                        ? field.Declaration.Variables.First(v => v.Identifier == name)
                        : (SyntaxNode)member;
                    var symbol = modelOf(member).GetDeclaredSymbol(node);
                    // Terms and hyper-parameters are reported where they are parsed, once.
                    if (symbol is not null && symbol.GetAttributes().Any(a => Symbols.Is(a.AttributeClass, "TermAttribute") || Symbols.Is(a.AttributeClass, "HyperAttribute")))
                        continue;
                    CheckMember(name.ValueText, name, diagnostics);
                }
            }
        }

        /// <summary>An input (term parameter) name, which becomes a parameter of Compute beside generated locals.</summary>
        public static bool CheckInput(string name, SyntaxNode at, DiagnosticBag diagnostics)
        {
            if (!Locals.IsMatch(name)) return true;
            diagnostics.Add(Diagnostics.ReservedName, at, name, "a local of the generated Compute");
            return false;
        }
    }
}
