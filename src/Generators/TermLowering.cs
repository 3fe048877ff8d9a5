using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Linq;
using System.Threading;
using LossDsl.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace LossDsl.Generators
{
    /// <summary>Lowers one term's body to an <see cref="Expr"/> tree, exactly as running the body with
    /// symbolic inputs would build it. Every construct outside the DSL is reported (and the walk goes
    /// on, so one build shows every error); the result is null when anything failed.</summary>
    internal sealed class TermLowering
    {
        private readonly IMethodSymbol _term;
        private readonly SemanticModel _model;
        private readonly Dictionary<string, IrHyper> _hypers;
        private readonly Dictionary<string, TermParameter> _parameters;
        private readonly DiagnosticBag _diagnostics;
        private readonly CancellationToken _cancellationToken;
        private bool _failed;

        public TermLowering(IMethodSymbol term, SemanticModel model, Dictionary<string, IrHyper> hypers,
            IEnumerable<TermParameter> parameters, DiagnosticBag diagnostics, CancellationToken cancellationToken)
        {
            _term = term;
            _model = model;
            _hypers = hypers;
            _parameters = parameters.ToDictionary(p => p.Name);
            _diagnostics = diagnostics;
            _cancellationToken = cancellationToken;
        }

        public Expr? LowerBody(MethodDeclarationSyntax method)
        {
            ExpressionSyntax? returned = method.ExpressionBody?.Expression;
            if (method.Body is { } block)
            {
                // A block is accepted only as "{ return expr; }": every other statement is reported.
                foreach (var statement in block.Statements)
                {
                    if (statement is ReturnStatementSyntax { Expression: { } value } && returned is null) returned = value;
                    else Unsupported(statement, Describe(statement));
                }
            }
            if (returned is null)
            {
                if (!_failed) Unsupported(method, "a method without an expression body");
                return null;
            }
            // This walk and Roslyn's operation tree (GetOperation) recurse once per level: refuse a body deep
            // enough to overflow the stack, which would take the whole compiler down.
            if (NestingDepth(returned) > MaxNesting)
                return Unsupported(returned, $"an expression nested more than {MaxNesting} levels deep");
            var result = Lower(returned);
            return _failed ? null : result;
        }

        /// <summary>How deeply expressions may nest in a term body (real losses stay under 30).</summary>
        internal const int MaxNesting = 200;

        /// <summary>The number of nested expressions on the deepest path below <paramref name="root"/>, counted without recursion.</summary>
        private static int NestingDepth(ExpressionSyntax root)
        {
            var deepest = 0;
            var stack = new Stack<(SyntaxNode node, int depth)>();
            stack.Push((root, 1));
            while (stack.Count > 0)
            {
                var (node, depth) = stack.Pop();
                if (depth > deepest) deepest = depth;
                foreach (var child in node.ChildNodes())
                    stack.Push((child, child is ExpressionSyntax ? depth + 1 : depth));
            }
            return deepest;
        }

        private Expr? Lower(ExpressionSyntax syntax)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            RuntimeHelpers.EnsureSufficientExecutionStack(); // a backstop: the parser reports it as LD9999
            switch (syntax)
            {
                case ParenthesizedExpressionSyntax p:
                    return Lower(p.Expression);
                case BinaryExpressionSyntax b:
                    return LowerBinary(b);
                case PrefixUnaryExpressionSyntax u when u.IsKind(SyntaxKind.UnaryMinusExpression):
                    return LowerNegation(u);
                case PrefixUnaryExpressionSyntax u when u.IsKind(SyntaxKind.UnaryPlusExpression):
                    return Lower(u.Operand);
                case InvocationExpressionSyntax invocation:
                    return LowerInvocation(invocation);
                case LiteralExpressionSyntax or IdentifierNameSyntax or MemberAccessExpressionSyntax:
                    return LowerLeaf(syntax);
                default:
                    return Unsupported(syntax, Describe(syntax));
            }
        }

        private Expr? LowerLeaf(ExpressionSyntax syntax)
        {
            var type = _model.GetTypeInfo(syntax, _cancellationToken).Type;
            var numeric = Symbols.NumericType(type);
            var constant = _model.GetConstantValue(syntax, _cancellationToken);
            if (numeric is not null && constant.HasValue && Symbols.ToDouble(constant.Value) is { } value)
                return Expr.Const(value, numeric);

            var symbol = _model.GetSymbolInfo(syntax, _cancellationToken).Symbol;
            switch (symbol)
            {
                case IParameterSymbol parameter when _parameters.TryGetValue(parameter.Name, out var input)
                                                   && SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol, _term):
                    var leaf = Expr.Input(input.Name, input.Kind);
                    // [Frozen] applies to float inputs; labels carry no gradient anyway.
                    return input.Frozen && input.Kind != ValueKind.Labels ? Expr.Of(OpCode.StopGradient, input.Kind, leaf) : leaf;
                case IPropertySymbol or IFieldSymbol when _hypers.TryGetValue(symbol.Name, out var hyper)
                                                         && SymbolEqualityComparer.Default.Equals(symbol.ContainingType, _term.ContainingType):
                    return Expr.Hyper(hyper.Name, hyper.NumericType);
                case IParameterSymbol parameter when SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol, _term):
                case IPropertySymbol or IFieldSymbol when symbol.GetAttributes().Any(a => Symbols.Is(a.AttributeClass, "HyperAttribute")):
                    // A term parameter that is not an input (LD0009) or a [Hyper] that is not a number (LD0010):
                    // its declaration is already reported; one error per construct.
                    _failed = true;
                    return null;
                case ILocalSymbol:
                    // The local's declaration is already reported; one error per construct.
                    _failed = true;
                    return null;
                case null:
                    _failed = true; // Does not bind: the C# compiler reports it.
                    return null;
                case IPropertySymbol or IFieldSymbol:
                    return Unsupported(syntax, $"the member '{symbol.Name}' (not a [Hyper] parameter)");
                default:
                    return Unsupported(syntax, $"'{syntax}' ({symbol.Kind.ToString().ToLowerInvariant()})");
            }
        }

        private Expr? LowerBinary(BinaryExpressionSyntax syntax)
        {
            var op = syntax.Kind() switch
            {
                SyntaxKind.AddExpression => OpCode.Add,
                SyntaxKind.SubtractExpression => OpCode.Sub,
                SyntaxKind.MultiplyExpression => OpCode.Mul,
                SyntaxKind.DivideExpression => OpCode.Div,
                _ => (OpCode?)null,
            };
            if (op is null) return Unsupported(syntax, $"the operator '{syntax.OperatorToken.Text}'");

            var numeric = Symbols.NumericType(_model.GetTypeInfo(syntax, _cancellationToken).Type);
            var symbol = _model.GetSymbolInfo(syntax, _cancellationToken).Symbol as IMethodSymbol;
            var left = Lower(syntax.Left);
            var right = Lower(syntax.Right);
            if (numeric is not null && symbol?.MethodKind != MethodKind.UserDefinedOperator)
            {
                var constant = _model.GetConstantValue(syntax, _cancellationToken);
                if (constant.HasValue && Symbols.ToDouble(constant.Value) is { } folded) return Expr.Const(folded, numeric);
                return left is null || right is null ? null : Expr.Of(op.Value, ValueKind.Number, numeric, left, right);
            }
            if (symbol is null || symbol.MethodKind != MethodKind.UserDefinedOperator || Symbols.DslKind(symbol.ReturnType) is not { } kind)
            {
                var leftType = _model.GetTypeInfo(syntax.Left, _cancellationToken).Type;
                var rightType = _model.GetTypeInfo(syntax.Right, _cancellationToken).Type;
                if (IsError(leftType) || IsError(rightType))
                {
                    _failed = true; // An operand does not bind: the C# compiler (or an inner diagnostic) reports it.
                    return null;
                }
                return Mismatch(syntax, $"the operator '{syntax.OperatorToken.Text}' is not defined between {Symbols.Name(leftType)} and {Symbols.Name(rightType)}");
            }
            return left is null || right is null ? null : Expr.Of(op.Value, kind, left, right);
        }

        private Expr? LowerNegation(PrefixUnaryExpressionSyntax syntax)
        {
            var operand = Lower(syntax.Operand);
            if (operand is null) return null;
            var numeric = Symbols.NumericType(_model.GetTypeInfo(syntax, _cancellationToken).Type);
            if (numeric is not null)
            {
                // Fold a constant (-1.5) as LowerBinary does, so checks such as LD0007 see its value.
                var constant = _model.GetConstantValue(syntax, _cancellationToken);
                if (constant.HasValue && Symbols.ToDouble(constant.Value) is { } folded) return Expr.Const(folded, numeric);
                return Expr.Of(OpCode.Neg, ValueKind.Number, numeric, operand);
            }
            return Expr.Of(OpCode.Neg, operand.Kind, operand);
        }

        private Expr? LowerInvocation(InvocationExpressionSyntax syntax)
        {
            var info = _model.GetSymbolInfo(syntax, _cancellationToken);
            if (info.Symbol is not IMethodSymbol method)
            {
                var candidates = info.CandidateSymbols.OfType<IMethodSymbol>().Where(m => OpOf(m) is not null).ToList();
                if (candidates.Count > 0 && !syntax.ContainsDiagnostics
                    && !syntax.ArgumentList.Arguments.Any(a => IsError(_model.GetTypeInfo(a.Expression, _cancellationToken).Type)))
                    return Mismatch(syntax, DescribeMismatch(syntax, candidates));
                _failed = true; // Does not bind at all: the C# compiler reports it.
                return null;
            }
            if (OpOf(method) is not { } op)
                return Unsupported(syntax, $"a call to '{method.ContainingType?.Name}.{method.Name}' (not a DSL operation)");

            var args = new List<Expr?>();
            var names = new List<string>();
            if (!method.IsStatic && method.ReducedFrom is null)
            {
                if (syntax.Expression is MemberAccessExpressionSyntax access) args.Add(Lower(access.Expression));
                else return Unsupported(syntax, $"a call to '{method.Name}' without a receiver");
            }

            if (_model.GetOperation(syntax, _cancellationToken) is not IInvocationOperation operation)
                return Unsupported(syntax, $"the call '{syntax}'");
            if (method.ReducedFrom is not null && operation.Instance is { Syntax: ExpressionSyntax receiver })
                args.Add(Lower(receiver));
            foreach (var argument in operation.Arguments.OrderBy(a => a.Parameter?.Ordinal ?? 0))
                LowerArgument(argument, args, names);

            if (args.Any(a => a is null)) return null;
            // A self relation is canonically Pairwise(x, x): the run-time DSL builds it the same way.
            if (op == OpCode.Pairwise && args.Count == 1) args.Add(args[0]);
            var kind = Symbols.DslKind(method.ReturnType) ?? ValueKind.Real;
            return Expr.Of(op, kind, string.Join(",", names), args.ToArray()!);
        }

        private void LowerArgument(IArgumentOperation argument, List<Expr?> args, List<string> names)
        {
            var parameter = argument.Parameter!;
            if (parameter.Type.TypeKind == TypeKind.Enum)
            {
                var value = argument.Value.ConstantValue;
                var member = parameter.Type.GetMembers().OfType<IFieldSymbol>()
                    .FirstOrDefault(f => f.HasConstantValue && Equals(f.ConstantValue, value.Value));
                if (member is null) args.Add(Unsupported(argument.Syntax, $"a non-constant {parameter.Type.Name}"));
                else names.Add(member.Name);
                return;
            }
            if (argument.ArgumentKind == ArgumentKind.DefaultValue)
            {
                args.Add(Expr.Const(Symbols.ToDouble(parameter.ExplicitDefaultValue) ?? 0.0, Symbols.NumericType(parameter.Type) ?? NumericTypes.Double));
                return;
            }
            var syntax = argument.Syntax is ArgumentSyntax a ? a.Expression : (ExpressionSyntax)argument.Syntax;
            var lowered = Lower(syntax);
            if (lowered is not null && parameter.GetAttributes().Any(x => Symbols.Is(x.AttributeClass, "TemperatureAttribute")))
                CheckTemperature(syntax, lowered);
            args.Add(lowered);
        }

        /// <summary>A temperature known at compile time (a constant, or a hyper-parameter's default) must be &gt; 0.</summary>
        private void CheckTemperature(ExpressionSyntax syntax, Expr temperature)
        {
            double? value = temperature.Op switch
            {
                OpCode.Const => temperature.Number,
                OpCode.Hyper => _hypers.TryGetValue(temperature.Name.Split(':')[0], out var h) ? h.Default : null,
                _ => null,
            };
            if (value is { } v && !double.IsNaN(v) && !(v > 0))
            {
                var shown = temperature.Op == OpCode.Hyper ? $"'{syntax}' (default {Symbols.Show(v)})" : Symbols.Show(v);
                _diagnostics.Add(Diagnostics.BadTemperature, syntax, _term.Name, shown);
                _failed = true;
            }
        }

        private static OpCode? OpOf(IMethodSymbol method)
        {
            var definition = (method.ReducedFrom ?? method).OriginalDefinition;
            var attribute = definition.GetAttributes().FirstOrDefault(a => Symbols.Is(a.AttributeClass, "DslOpAttribute"));
            return attribute?.ConstructorArguments.FirstOrDefault().Value is int code ? (OpCode)code : null;
        }

        private string DescribeMismatch(InvocationExpressionSyntax syntax, List<IMethodSymbol> candidates)
        {
            var expected = string.Join(" or ", candidates.Select(Symbols.Signature).Distinct());
            var given = syntax.ArgumentList.Arguments
                .Select(a => $"{a.Expression} : {Symbols.Name(_model.GetTypeInfo(a.Expression, _cancellationToken).Type)}");
            return $"'{candidates[0].Name}' expects {expected}, but was given ({string.Join(", ", given)})";
        }

        private Expr? Mismatch(SyntaxNode syntax, string message)
        {
            // Point at the first argument whose kind is wrong when there is one.
            var target = syntax is InvocationExpressionSyntax invocation ? WrongArgument(invocation) ?? syntax : syntax;
            _diagnostics.Add(Diagnostics.KindMismatch, target, _term.Name, message);
            _failed = true;
            return null;
        }

        private SyntaxNode? WrongArgument(InvocationExpressionSyntax invocation)
        {
            var candidates = _model.GetSymbolInfo(invocation, _cancellationToken).CandidateSymbols.OfType<IMethodSymbol>();
            var arguments = invocation.ArgumentList.Arguments;
            foreach (var candidate in candidates.Where(c => c.Parameters.Length >= arguments.Count))
            {
                for (var i = 0; i < arguments.Count; i++)
                {
                    var type = _model.GetTypeInfo(arguments[i].Expression, _cancellationToken).Type;
                    var parameterType = candidate.Parameters[i].Type;
                    if (type is null || parameterType is ITypeParameterSymbol) continue;
                    if (!_model.Compilation.ClassifyConversion(type, parameterType).IsImplicit) return arguments[i];
                }
            }
            return null;
        }

        private static bool IsError(ITypeSymbol? type) => type is { TypeKind: TypeKind.Error };

        private Expr? Unsupported(SyntaxNode syntax, string what)
        {
            _diagnostics.Add(Diagnostics.UnsupportedConstruct, syntax, _term.Name, what);
            _failed = true;
            return null;
        }

        private static string Describe(SyntaxNode syntax) => syntax switch
        {
            ForStatementSyntax => "a 'for' loop",
            ForEachStatementSyntax => "a 'foreach' loop",
            WhileStatementSyntax => "a 'while' loop",
            DoStatementSyntax => "a 'do' loop",
            LocalDeclarationStatementSyntax l => $"a local variable declaration ('{l.Declaration.Variables.FirstOrDefault()?.Identifier.Text}')",
            LocalFunctionStatementSyntax f => $"a local function ('{f.Identifier.Text}')",
            IfStatementSyntax => "an 'if' statement",
            ExpressionStatementSyntax => "an expression statement",
            ReturnStatementSyntax => "a second 'return' statement",
            ConditionalExpressionSyntax => "a conditional expression ('?:')",
            LambdaExpressionSyntax => "a lambda",
            ObjectCreationExpressionSyntax or ImplicitObjectCreationExpressionSyntax => "an object creation ('new')",
            ElementAccessExpressionSyntax => "an indexer",
            AssignmentExpressionSyntax => "an assignment",
            SwitchExpressionSyntax => "a switch expression",
            CastExpressionSyntax => "a cast",
            InterpolatedStringExpressionSyntax => "a string",
            ThrowExpressionSyntax => "a throw expression",
            _ => $"'{syntax}' ({syntax.Kind()})",
        };
    }
}
