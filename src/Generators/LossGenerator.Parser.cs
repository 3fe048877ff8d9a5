using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using LossDsl.Generators.Fusion;
using LossDsl.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LossDsl.Generators
{
    /// <summary>Turns a <c>[Loss]</c> class into a <see cref="LossModel"/> and diagnostics. Nothing
    /// Roslyn-specific (symbols, syntax, locations) leaves this class.</summary>
    internal static class Parser
    {
        /// <summary>A type of LossDsl.Runtime that every generated class implements.</summary>
        private const string RuntimeInterface = "LossDsl.Runtime.ILoss";

        public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            var diagnostics = new DiagnosticBag();
            var type = (INamedTypeSymbol)context.TargetSymbol;
            try
            {
                var model = ParseClass(context, type, diagnostics, cancellationToken);
                return new ParseResult(diagnostics.HasErrors ? null : model, diagnostics.ToArray());
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                diagnostics.Add(Diagnostics.InternalError, context.TargetNode, type.Name, ex.GetType().Name + ": " + ex.Message);
                return new ParseResult(null, diagnostics.ToArray());
            }
        }

        private static LossModel? ParseClass(GeneratorAttributeSyntaxContext context, INamedTypeSymbol type,
            DiagnosticBag diagnostics, CancellationToken cancellationToken)
        {
            var declaration = (TypeDeclarationSyntax)context.TargetNode;
            // [Loss] on two partial declarations of one class (CS0579): only the first generates, or the
            // second AddSource would repeat the hint name and the generator would fail (CS8785).
            var firstLoss = type.GetAttributes()
                .Where(a => Symbols.Is(a.AttributeClass, "LossAttribute"))
                .Select(a => a.ApplicationSyntaxReference?.GetSyntax(cancellationToken).FirstAncestorOrSelf<TypeDeclarationSyntax>())
                .FirstOrDefault(c => c is not null);
            if (firstLoss is not null && (firstLoss.SyntaxTree != declaration.SyntaxTree || firstLoss.Span != declaration.Span)) return null;
            if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
                diagnostics.Add(Diagnostics.NotPartial, declaration.Identifier, type.Name);
            if (type.ContainingType is not null)
                diagnostics.Add(Diagnostics.UnsupportedClass, declaration.Identifier, type.Name, "nested in another type");
            if (type.TypeParameters.Length > 0)
                diagnostics.Add(Diagnostics.UnsupportedClass, declaration.Identifier, type.Name, "generic");
            if (type.IsStatic)
                diagnostics.Add(Diagnostics.UnsupportedClass, declaration.Identifier, type.Name, "static");
            if (type.IsRecord)
                diagnostics.Add(Diagnostics.UnsupportedClass, declaration.Identifier, type.Name, "a record");
            // The generated code calls LossDsl.Runtime: without it, one clear error instead of dozens of CS0234.
            if (context.SemanticModel.Compilation.GetTypeByMetadataName(RuntimeInterface) is null)
                diagnostics.Add(Diagnostics.RuntimeMissing, declaration.Identifier, type.Name);
            // A file-local type cannot have a part in the generated file (another file): it would not compile there.
            if (type.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).OfType<TypeDeclarationSyntax>()
                    .Any(d => d.Modifiers.Any(m => m.Text == "file")))
                diagnostics.Add(Diagnostics.UnsupportedClass, declaration.Identifier, type.Name, "file-local ('file')");
            ReservedNames.CheckClass(type, declaration.Identifier, diagnostics);

            var compilation = context.SemanticModel.Compilation;
            SemanticModel ModelOf(SyntaxNode node) =>
                node.SyntaxTree == context.SemanticModel.SyntaxTree ? context.SemanticModel : compilation.GetSemanticModel(node.SyntaxTree);

            var members = type.DeclaringSyntaxReferences
                .Select(r => r.GetSyntax(cancellationToken))
                .OfType<TypeDeclarationSyntax>()
                .SelectMany(c => c.Members)
                .ToList();

            ReservedNames.CheckMembers(members, ModelOf, diagnostics);
            var knownDefaults = new HashSet<string>();
            var hypers = ParseHypers(members, ModelOf, diagnostics, knownDefaults);
            var temperatures = new HashSet<string>(hypers.Values.Where(h => h.Temperature).Select(h => h.Name));
            var builder = new IrBuilder();

            var inputs = new Dictionary<string, (TermParameter parameter, string term)>();
            var signatures = new List<TermSignature>();
            var termNames = new HashSet<string>();
            var nodeSyntax = new Dictionary<int, (SyntaxNode syntax, string term)>();
            var termCount = 0;
            var termFailed = false;
            foreach (var method in members.OfType<MethodDeclarationSyntax>())
            {
                cancellationToken.ThrowIfCancellationRequested();
                var semantic = ModelOf(method);
                if (semantic.GetDeclaredSymbol(method, cancellationToken) is not IMethodSymbol symbol) continue;
                var termAttribute = symbol.GetAttributes().FirstOrDefault(a => Symbols.Is(a.AttributeClass, "TermAttribute"));
                if (termAttribute is null) continue;
                termCount++;
                if (!termNames.Add(symbol.Name))
                    diagnostics.Add(Diagnostics.DuplicateTerm, method.Identifier, symbol.Name);

                var term = ParseTerm(method, symbol, termAttribute, semantic, hypers, knownDefaults, temperatures, inputs, diagnostics, cancellationToken);
                if (term is null)
                {
                    // Usually reported above; when not, the C# compiler reports why (an unbound name):
                    // emitting the other terms alone would give a wrong loss.
                    termFailed = true;
                    continue;
                }
                // Inputs follow the term signatures (not the order the body reads them): Compute's parameters read like the declaration.
                foreach (var parameter in term.Value.signature.Parameters) builder.AddInput(parameter.Name, parameter.Kind, symbol.Name);
                var syntaxOf = term.Value.syntax;
                var root = builder.Intern(term.Value.body, (expr, id) =>
                {
                    if (!nodeSyntax.ContainsKey(id) && syntaxOf.TryGetValue(expr, out var at)) nodeSyntax[id] = (at, symbol.Name);
                });
                builder.AddTerm(symbol.Name, term.Value.weight, root, SourceOf(method));
                signatures.Add(term.Value.signature);
            }

            if (termCount == 0)
                diagnostics.Add(Diagnostics.NoTerms, declaration.Identifier, type.Name);
            if (diagnostics.HasErrors || termFailed) return null;

            // Hyper-parameters passed where the DSL takes a temperature are checked as temperatures at run time.
            foreach (var hyper in hypers.Values) builder.AddHyper(hyper with { Temperature = temperatures.Contains(hyper.Name) });
            var ir = builder.Build();
            // Dimensions that cannot agree are errors on the syntax that built the node.
            foreach (var error in TypeInference.Infer(ir).Errors)
            {
                if (nodeSyntax.TryGetValue(error.Node, out var at)) diagnostics.Add(Diagnostics.ShapeMismatch, at.syntax, at.term, error.Message);
                else diagnostics.Add(Diagnostics.ShapeMismatch, declaration.Identifier, type.Name, error.Message);
            }
            if (diagnostics.HasErrors) return null;
            var computed = Canonicalize.Apply(ir);
            // Every operation must have a run-time form for the kinds it is given (the DSL's generic methods accept any
            // float kind; the runtime may not: SmoothL1 of Triplets). Checked when the compilation references the runtime.
            RuntimeForms.Check(compilation, ir, nodeSyntax, declaration.Identifier, type.Name, diagnostics);
            if (!diagnostics.HasErrors) RuntimeForms.Check(compilation, computed, new Dictionary<int, (SyntaxNode, string)>(), declaration.Identifier, type.Name, diagnostics);
            if (diagnostics.HasErrors) return null;
            var fuse = context.Attributes[0].NamedArguments.FirstOrDefault(a => a.Key == "Fuse").Value.Value as bool? ?? true;
            var regions = fuse ? FusionPlanner.Plan(computed) : EquatableArray<FusedRegion>.Empty;
            var ns = NamespaceOf(type);
            var allowEmpty = context.Attributes[0].NamedArguments.FirstOrDefault(a => a.Key == "AllowEmptyBatch").Value.Value as bool? ?? false;
            return new LossModel(ns, type.Name, ir, computed, signatures.ToEquatableArray(), regions) { AllowEmptyBatch = allowEmpty };
        }

        private static Dictionary<string, IrHyper> ParseHypers(List<MemberDeclarationSyntax> members,
            Func<SyntaxNode, SemanticModel> modelOf, DiagnosticBag diagnostics, HashSet<string> knownDefaults)
        {
            var hypers = new Dictionary<string, IrHyper>();
            foreach (var member in members)
            {
                var semantic = modelOf(member);
                var declared = member switch
                {
                    PropertyDeclarationSyntax p => new[] { (node: (SyntaxNode)p, identifier: p.Identifier, initializer: p.Initializer?.Value) },
                    FieldDeclarationSyntax f => f.Declaration.Variables.Select(v => (node: (SyntaxNode)v, identifier: v.Identifier, initializer: v.Initializer?.Value)).ToArray(),
                    _ => Array.Empty<(SyntaxNode, SyntaxToken, ExpressionSyntax?)>(),
                };
                foreach (var (node, identifier, initializer) in declared)
                {
                    var symbol = semantic.GetDeclaredSymbol(node);
                    if (symbol is null || !symbol.GetAttributes().Any(a => Symbols.Is(a.AttributeClass, "HyperAttribute"))) continue;
                    var memberType = symbol is IPropertySymbol p ? p.Type : ((IFieldSymbol)symbol).Type;
                    var numeric = Symbols.NumericType(memberType);
                    if (numeric is null || symbol.IsStatic)
                    {
                        var shown = symbol.IsStatic ? "static " + memberType.ToDisplayString() : memberType.ToDisplayString();
                        diagnostics.Add(Diagnostics.BadHyper, identifier, symbol.Name, shown);
                        continue;
                    }
                    // Generated code reads it (this.T): it needs a getter, and a by-value one.
                    if (symbol is IPropertySymbol { GetMethod: null } or IPropertySymbol { ReturnsByRef: true } or IPropertySymbol { ReturnsByRefReadonly: true })
                    {
                        diagnostics.Add(Diagnostics.BadHyper, identifier, symbol.Name,
                            memberType.ToDisplayString() + (symbol is IPropertySymbol { GetMethod: null } ? " without a getter" : " returned by reference"));
                        continue;
                    }
                    // No initializer: C#'s default 0. A non-constant initializer: unknown until run time (NaN).
                    var constant = initializer is null ? (double?)0.0 : Symbols.ToDouble(semantic.GetConstantValue(initializer).Value);
                    var value = constant ?? double.NaN;
                    if (!ReservedNames.CheckMember(symbol.Name, identifier, diagnostics)) continue;
                    var temperature = symbol.GetAttributes().Any(a => Symbols.Is(a.AttributeClass, "TemperatureAttribute"));
                    if (constant is { } known)
                    {
                        knownDefaults.Add(symbol.Name);
                        if (temperature && !IsPositiveFinite(known))
                        {
                            var args = new[] { $"Hyper-parameter '{symbol.Name}'", $"(default {Symbols.Show(known)})" };
                            if (initializer is not null) diagnostics.Add(Diagnostics.BadTemperature, initializer, args);
                            else diagnostics.Add(Diagnostics.BadTemperature, identifier, args);
                            continue;
                        }
                    }
                    hypers[symbol.Name] = new IrHyper(symbol.Name, numeric.Value, value, temperature);
                }
            }
            return hypers;
        }

        /// <summary>The containing namespace as its parts' names joined by dots, without <c>@</c> (the emitter escapes
        /// each part), or "" for the global namespace.</summary>
        private static string NamespaceOf(INamedTypeSymbol type)
        {
            var parts = new List<string>();
            for (var ns = type.ContainingNamespace; ns is { IsGlobalNamespace: false }; ns = ns.ContainingNamespace) parts.Insert(0, ns.Name);
            return string.Join(".", parts);
        }

        /// <summary>A temperature's admissible values.</summary>
        internal static bool IsPositiveFinite(double value) => value > 0 && !double.IsInfinity(value);

        private static (double weight, Expr body, TermSignature signature, Dictionary<Expr, SyntaxNode> syntax)? ParseTerm(
            MethodDeclarationSyntax method, IMethodSymbol symbol, AttributeData termAttribute, SemanticModel semantic,
            Dictionary<string, IrHyper> hypers, HashSet<string> knownDefaults, HashSet<string> temperatures,
            Dictionary<string, (TermParameter parameter, string term)> inputs,
            DiagnosticBag diagnostics, CancellationToken cancellationToken)
        {
            var ok = true;
            var weight = Symbols.ToDouble(termAttribute.NamedArguments.FirstOrDefault(a => a.Key == "Weight").Value.Value) ?? 1.0;
            if (double.IsNaN(weight) || double.IsInfinity(weight) || weight < 0)
            {
                var argument = method.AttributeLists.SelectMany(l => l.Attributes)
                    .SelectMany(a => a.ArgumentList?.Arguments ?? default)
                    .FirstOrDefault(a => a.NameEquals?.Name.Identifier.Text == "Weight");
                diagnostics.Add(Diagnostics.BadWeight, (SyntaxNode?)argument ?? method.Identifier.Parent!, symbol.Name, Symbols.Show(weight));
                ok = false;
            }

            if (!ReservedNames.CheckMember(symbol.Name, method.Identifier, diagnostics)) ok = false;
            if (symbol.IsGenericMethod)
            {
                diagnostics.Add(Diagnostics.BadTermSignature, method.Identifier, symbol.Name, "is generic");
                ok = false;
            }
            if (method.ExplicitInterfaceSpecifier is not null)
            {
                // Trace() calls the term by name, which an explicit implementation does not have.
                diagnostics.Add(Diagnostics.BadTermSignature, method.Identifier, symbol.Name, "is an explicit interface implementation");
                ok = false;
            }

            if (!Symbols.Is(symbol.ReturnType, "Real"))
            {
                diagnostics.Add(Diagnostics.TermNotScalar, method.ReturnType, symbol.Name, symbol.ReturnType.ToDisplayString());
                ok = false;
            }

            var parameters = new List<TermParameter>();
            foreach (var (parameter, syntax) in symbol.Parameters.Zip(method.ParameterList.Parameters, (p, s) => (p, s)))
            {
                if (parameter.RefKind != RefKind.None || parameter.IsParams)
                {
                    var modifier = parameter.IsParams ? "params" : parameter.RefKind.ToString().ToLowerInvariant();
                    diagnostics.Add(Diagnostics.BadTermSignature, syntax, symbol.Name, $"has a '{modifier}' parameter '{parameter.Name}'");
                    ok = false;
                    continue;
                }
                if (!ReservedNames.CheckInput(parameter.Name, syntax, diagnostics))
                {
                    ok = false;
                    continue;
                }
                var kind = Symbols.DslKind(parameter.Type);
                if (kind is null || !OpCatalog.IsInputKind(kind.Value))
                {
                    diagnostics.Add(Diagnostics.BadInputType, syntax, parameter.Name, symbol.Name, parameter.Type.ToDisplayString());
                    ok = false;
                    continue;
                }
                var attr = InputDeclaration.Read(parameter, syntax, kind.Value, symbol.Name, diagnostics);
                if (attr is null)
                {
                    ok = false;
                    continue;
                }
                var frozen = parameter.GetAttributes().Any(a => Symbols.Is(a.AttributeClass, "FrozenAttribute"));
                var declared = new TermParameter(parameter.Name, kind.Value, frozen, attr);
                if (inputs.TryGetValue(parameter.Name, out var seen))
                {
                    if (seen.parameter.Kind != kind.Value)
                    {
                        diagnostics.Add(Diagnostics.InputKindConflict, syntax, parameter.Name, kind.Value.ToString(), symbol.Name, seen.parameter.Kind.ToString(), seen.term);
                        ok = false;
                    }
                    else if (!seen.parameter.Attr.Equals(attr))
                    {
                        diagnostics.Add(Diagnostics.BadDims, syntax, parameter.Name, symbol.Name,
                            $"declared {InputDeclaration.Show(attr)} here but {InputDeclaration.Show(seen.parameter.Attr)} in term '{seen.term}'");
                        ok = false;
                    }
                }
                else
                {
                    inputs[parameter.Name] = (declared, symbol.Name);
                }
                parameters.Add(declared);
            }

            var lowering = new TermLowering(symbol, semantic, hypers, knownDefaults, temperatures, parameters, diagnostics, cancellationToken);
            var body = lowering.LowerBody(method);
            if (!ok || body is null) return null;
            return (weight, body, new TermSignature(symbol.Name, parameters.ToEquatableArray()), lowering.Syntax);
        }

        private static string SourceOf(MethodDeclarationSyntax method)
        {
            var line = method.Identifier.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
            return Path.GetFileName(method.SyntaxTree.FilePath) + ":" + line;
        }
    }

    /// <summary>Collects diagnostics as cacheable values.</summary>
    internal sealed class DiagnosticBag
    {
        private readonly List<DiagnosticInfo> _items = new();

        public bool HasErrors => _items.Count > 0;

        public void Add(DiagnosticDescriptor descriptor, SyntaxNode node, params string[] args) =>
            _items.Add(new DiagnosticInfo(descriptor.Id, LocationInfo.From(node), args.ToEquatableArray()));

        public void Add(DiagnosticDescriptor descriptor, SyntaxToken token, params string[] args) =>
            _items.Add(new DiagnosticInfo(descriptor.Id, LocationInfo.From(token.GetLocation()), args.ToEquatableArray()));

        public EquatableArray<DiagnosticInfo> ToArray() => _items.ToEquatableArray();
    }
}
