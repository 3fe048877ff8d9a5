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
    /// symbolic inputs would build it. A body is one expression, or a block of local variable declarations and
    /// one final <c>return</c>: a local is the expression it was initialised with, so using it twice shares one
    /// node. Every construct outside the DSL is reported (and the walk goes on, so one build shows every error);
    /// the result is null when anything failed.</summary>
    internal sealed class TermLowering
    {
        private readonly IMethodSymbol _term;
        private readonly SemanticModel _model;
        private readonly Dictionary<string, IrHyper> _hypers;
        private readonly HashSet<string> _knownDefaults;
        private readonly HashSet<string> _temperatures;
        private readonly Dictionary<string, TermParameter> _parameters;
        private readonly DiagnosticBag _diagnostics;
        private readonly CancellationToken _cancellationToken;
        private readonly Dictionary<ILocalSymbol, Expr> _locals = new(SymbolEqualityComparer.Default);
        private readonly Dictionary<IParameterSymbol, Expr> _arguments = new(SymbolEqualityComparer.Default);
        private readonly int _depth;
        private bool _failed;

        /// <summary>How deeply helper methods may call helper methods (a deeper chain is taken as recursion).</summary>
        private const int MaxHelperDepth = 16;

        /// <param name="knownDefaults">The hyper-parameters whose default is a compile-time constant.</param>
        /// <param name="temperatures">The hyper-parameters used as temperatures; lowering adds those it passes to a
        /// <c>[Temperature]</c> parameter.</param>
        public TermLowering(IMethodSymbol term, SemanticModel model, Dictionary<string, IrHyper> hypers,
            HashSet<string> knownDefaults, HashSet<string> temperatures,
            IEnumerable<TermParameter> parameters, DiagnosticBag diagnostics, CancellationToken cancellationToken)
        {
            _term = term;
            _model = model;
            _hypers = hypers;
            _knownDefaults = knownDefaults;
            _temperatures = temperatures;
            _parameters = parameters.ToDictionary(p => p.Name);
            _diagnostics = diagnostics;
            _cancellationToken = cancellationToken;
        }

        /// <summary>The lowering of a helper method's body inside a term: its parameters stand for the call's arguments.</summary>
        private TermLowering(TermLowering caller, SemanticModel model, Dictionary<IParameterSymbol, Expr> arguments)
            : this(caller._term, model, caller._hypers, caller._knownDefaults, caller._temperatures, caller._parameters.Values,
                caller._diagnostics, caller._cancellationToken)
        {
            _arguments = arguments;
            _depth = caller._depth + 1;
            Syntax = caller.Syntax;
        }

        /// <summary>The syntax each lowered expression came from (diagnostics found later on an IR node point here).</summary>
        public Dictionary<Expr, SyntaxNode> Syntax { get; private set; } = new();

        public Expr? LowerBody(MethodDeclarationSyntax method)
        {
            ExpressionSyntax? returned = method.ExpressionBody?.Expression;
            if (method.Body is { } block)
            {
                // A block holds local declarations and one final return; every other statement is reported.
                foreach (var statement in block.Statements)
                {
                    if (returned is not null)
                        Unsupported(statement, "a statement after the 'return'");
                    else if (statement is ReturnStatementSyntax { Expression: { } value })
                        returned = value;
                    else if (statement is LocalDeclarationStatementSyntax local && !local.IsConst && local.UsingKeyword.IsKind(SyntaxKind.None))
                        LowerLocals(local);
                    else
                        Unsupported(statement, Describe(statement));
                }
            }
            if (returned is null)
            {
                if (!_failed) Unsupported(method, "a method without an expression body or a final 'return'");
                return null;
            }
            var result = LowerChecked(returned);
            return _failed ? null : result;
        }

        private void LowerLocals(LocalDeclarationStatementSyntax local)
        {
            foreach (var variable in local.Declaration.Variables)
            {
                if (variable.Initializer is null)
                {
                    Unsupported(variable, $"a local variable without a value ('{variable.Identifier.Text}')");
                    continue;
                }
                var value = LowerChecked(variable.Initializer.Value);
                if (value is not null && _model.GetDeclaredSymbol(variable, _cancellationToken) is ILocalSymbol symbol)
                    _locals[symbol] = value;
            }
        }

        /// <summary>How deeply expressions may nest in a term body (real losses stay under 30).</summary>
        internal const int MaxNesting = 200;

        private Expr? LowerChecked(ExpressionSyntax expression)
        {
            // This walk and Roslyn's operation tree (GetOperation) recurse once per level: refuse a body deep
            // enough to overflow the stack, which would take the whole compiler down.
            if (NestingDepth(expression) > MaxNesting)
                return Unsupported(expression, $"an expression nested more than {MaxNesting} levels deep");
            return Lower(expression);
        }

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
            var result = syntax switch
            {
                ParenthesizedExpressionSyntax p => Lower(p.Expression),
                BinaryExpressionSyntax b => LowerBinary(b),
                PrefixUnaryExpressionSyntax u when u.IsKind(SyntaxKind.UnaryMinusExpression) => LowerNegation(u),
                PrefixUnaryExpressionSyntax u when u.IsKind(SyntaxKind.UnaryPlusExpression) => Lower(u.Operand),
                PrefixUnaryExpressionSyntax u when u.IsKind(SyntaxKind.LogicalNotExpression) => LowerNot(u),
                InvocationExpressionSyntax invocation => LowerInvocation(invocation),
                LiteralExpressionSyntax or IdentifierNameSyntax or MemberAccessExpressionSyntax => LowerLeaf(syntax),
                _ => Unsupported(syntax, Describe(syntax)),
            };
            if (result is not null && !Syntax.ContainsKey(result)) Syntax[result] = syntax;
            return result;
        }

        private Expr? LowerLeaf(ExpressionSyntax syntax)
        {
            var type = _model.GetTypeInfo(syntax, _cancellationToken).Type;
            var numeric = Symbols.NumericType(type);
            var constant = _model.GetConstantValue(syntax, _cancellationToken);
            if (numeric is not null && constant.HasValue && Symbols.ToDouble(constant.Value) is { } value)
                return Expr.Const(value, numeric.Value);

            var symbol = _model.GetSymbolInfo(syntax, _cancellationToken).Symbol;
            switch (symbol)
            {
                case IParameterSymbol parameter when _parameters.TryGetValue(parameter.Name, out var input)
                                                   && SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol, _term):
                    var leaf = Expr.Input(input.Attr, input.Kind);
                    // [Frozen] applies to float inputs; integer inputs carry no gradient anyway.
                    return input.Frozen && !OpCatalog.IsInteger(input.Kind) ? Expr.Of(OpCode.StopGradient, input.Kind, leaf) : leaf;
                case IPropertySymbol or IFieldSymbol when _hypers.TryGetValue(symbol.Name, out var hyper)
                                                         && SymbolEqualityComparer.Default.Equals(symbol.ContainingType, _term.ContainingType):
                    return Expr.Hyper(hyper.Name, hyper.Type);
                case ILocalSymbol local when _locals.TryGetValue(local, out var bound):
                    return bound;
                case IParameterSymbol parameter when _arguments.TryGetValue(parameter, out var argument):
                    return argument;
                case IParameterSymbol parameter when SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol, _term):
                case IPropertySymbol or IFieldSymbol when symbol.GetAttributes().Any(a => Symbols.Is(a.AttributeClass, "HyperAttribute")):
                case ILocalSymbol:
                    // A term parameter that is not an input (LD0009), a [Hyper] that is not a number (LD0010), or a
                    // local whose declaration failed: already reported, one error per construct.
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

        private static OpCode? BinaryOp(SyntaxKind kind) => kind switch
        {
            SyntaxKind.AddExpression => OpCode.Add,
            SyntaxKind.SubtractExpression => OpCode.Sub,
            SyntaxKind.MultiplyExpression => OpCode.Mul,
            SyntaxKind.DivideExpression => OpCode.Div,
            SyntaxKind.LessThanExpression => OpCode.Less,
            SyntaxKind.LessThanOrEqualExpression => OpCode.LessEq,
            SyntaxKind.GreaterThanExpression => OpCode.Greater,
            SyntaxKind.GreaterThanOrEqualExpression => OpCode.GreaterEq,
            SyntaxKind.BitwiseAndExpression => OpCode.And,
            SyntaxKind.BitwiseOrExpression => OpCode.Or,
            _ => null,
        };

        private Expr? LowerBinary(BinaryExpressionSyntax syntax)
        {
            if (BinaryOp(syntax.Kind()) is not { } op)
            {
                var hint = syntax.Kind() switch
                {
                    SyntaxKind.LogicalAndExpression => "; combine conditions with '&'",
                    SyntaxKind.LogicalOrExpression => "; combine conditions with '|'",
                    SyntaxKind.CoalesceExpression => "",
                    _ => "",
                };
                return Unsupported(syntax, $"the operator '{syntax.OperatorToken.Text}'{hint}");
            }

            var numeric = Symbols.NumericType(_model.GetTypeInfo(syntax, _cancellationToken).Type);
            var symbol = _model.GetSymbolInfo(syntax, _cancellationToken).Symbol as IMethodSymbol;
            var left = Lower(syntax.Left);
            var right = Lower(syntax.Right);
            if (numeric is not null && symbol?.MethodKind != MethodKind.UserDefinedOperator && op is OpCode.Add or OpCode.Sub or OpCode.Mul or OpCode.Div)
            {
                var constant = _model.GetConstantValue(syntax, _cancellationToken);
                if (constant.HasValue && Symbols.ToDouble(constant.Value) is { } folded) return Expr.Const(folded, numeric.Value);
                return left is null || right is null ? null : Expr.Number(op, numeric.Value, left, right);
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
                if (op is OpCode.Less or OpCode.LessEq or OpCode.Greater or OpCode.GreaterEq or OpCode.And or OpCode.Or
                    && Symbols.NumericType(leftType) is not null && Symbols.NumericType(rightType) is not null)
                    return Unsupported(syntax, $"a comparison of host numbers ('{syntax}'); compare tensors, or compute the number outside the loss");
                return Mismatch(syntax, $"the operator '{syntax.OperatorToken.Text}' is not defined between {Symbols.Name(leftType)} and {Symbols.Name(rightType)}");
            }
            return left is null || right is null ? null : Expr.Of(op, kind, left, right);
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
                if (constant.HasValue && Symbols.ToDouble(constant.Value) is { } folded) return Expr.Const(folded, numeric.Value);
                return Expr.Number(OpCode.Neg, numeric.Value, operand);
            }
            return Expr.Of(OpCode.Neg, operand.Kind, operand);
        }

        private Expr? LowerNot(PrefixUnaryExpressionSyntax syntax)
        {
            if (_model.GetSymbolInfo(syntax, _cancellationToken).Symbol is not IMethodSymbol { MethodKind: MethodKind.UserDefinedOperator } op
                || Symbols.DslKind(op.ReturnType) is not { } kind)
                return Unsupported(syntax, "the operator '!' outside conditions and graphs");
            var operand = Lower(syntax.Operand);
            return operand is null ? null : Expr.Of(OpCode.Not, kind, operand);
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
            if (HostFunction(method) is { } host) return LowerHostFunction(syntax, method, host);
            if (OpOf(method) is null && HelperBody(method) is { } helper) return LowerHelperCall(syntax, method, helper);
            if (OpOf(method) is not { } op)
                return Unsupported(syntax, $"a call to '{method.ContainingType?.Name}.{method.Name}' (not a DSL operation{Suggestions.For(method.Name, _model.Compilation)})");

            var args = new List<Expr?>();
            if (!method.IsStatic && method.ReducedFrom is null)
            {
                if (syntax.Expression is MemberAccessExpressionSyntax access) args.Add(Lower(access.Expression));
                else return Unsupported(syntax, $"a call to '{method.Name}' without a receiver");
            }

            if (_model.GetOperation(syntax, _cancellationToken) is not IInvocationOperation operation)
                return Unsupported(syntax, $"the call '{syntax}'");
            if (method.ReducedFrom is not null && operation.Instance is { Syntax: ExpressionSyntax receiver })
                args.Add(Lower(receiver));
            var attr = new AttrArguments();
            foreach (var argument in operation.Arguments.OrderBy(a => a.Parameter?.Ordinal ?? 0))
                LowerArgument(syntax, method, argument, args, attr);

            if (args.Any(a => a is null) || attr.Failed) return null;
            // A self relation is canonically Pairwise(x, x): the run-time DSL builds it the same way.
            if (op == OpCode.Pairwise && args.Count == 1) args.Add(args[0]);
            var kind = Symbols.DslKind(method.ReturnType) ?? ValueKind.Real;
            return Expr.Of(op, kind, attr.Build(), args.ToArray()!);
        }

        /// <summary>A method declared in source whose body is DSL (it returns a DSL value), or null: the generator
        /// inlines it, as calling it on symbolic values does at run time (a formula shared by terms or by losses).</summary>
        private MethodDeclarationSyntax? HelperBody(IMethodSymbol method) =>
            Symbols.DslKind(method.ReturnType) is not null
            && method.GetAttributes().All(a => !Symbols.Is(a.AttributeClass, "TermAttribute"))
                ? method.DeclaringSyntaxReferences.Select(r => r.GetSyntax(_cancellationToken)).OfType<MethodDeclarationSyntax>().FirstOrDefault()
                : null;

        private Expr? LowerHelperCall(InvocationExpressionSyntax syntax, IMethodSymbol method, MethodDeclarationSyntax body)
        {
            if (_depth >= MaxHelperDepth)
                return Unsupported(syntax, $"a call to '{method.Name}' nested more than {MaxHelperDepth} helpers deep (a recursive helper?)");
            if (method.IsGenericMethod || method.Parameters.Any(p => p.RefKind != RefKind.None || p.IsParams))
                return Unsupported(syntax, $"a call to the helper '{method.Name}', which is generic or has ref, out, in or params parameters");
            if (_model.GetOperation(syntax, _cancellationToken) is not IInvocationOperation operation)
                return Unsupported(syntax, $"the call '{syntax}'");
            var arguments = new Dictionary<IParameterSymbol, Expr>(SymbolEqualityComparer.Default);
            foreach (var argument in operation.Arguments)
            {
                var parameter = argument.Parameter!;
                Expr? value;
                if (argument.ArgumentKind == ArgumentKind.DefaultValue)
                    value = Expr.Const(Symbols.ToDouble(parameter.ExplicitDefaultValue) ?? 0.0, Symbols.NumericType(parameter.Type) ?? NumericType.Double);
                else if (Symbols.DslKind(parameter.Type) is null && Symbols.NumericType(parameter.Type) is null)
                    return Unsupported(argument.Syntax, $"an argument of type {Symbols.Name(parameter.Type)} to the helper '{method.Name}' (helpers take DSL values and numbers)");
                else
                    value = Lower(argument.Syntax is ArgumentSyntax a ? a.Expression : (ExpressionSyntax)argument.Syntax);
                if (value is null) return null;
                arguments[parameter.OriginalDefinition] = value;
            }
            var model = body.SyntaxTree == _model.SyntaxTree ? _model : _model.Compilation.GetSemanticModel(body.SyntaxTree);
            var inner = new TermLowering(this, model, arguments);
            var result = inner.LowerBody(body);
            if (inner._failed) _failed = true;
            return result;
        }

        /// <summary>A <c>System.Math</c> function of host numbers (<c>Math.Cos(Margin)</c>), or null.</summary>
        private static OpCode? HostFunction(IMethodSymbol method) =>
            method.ContainingType?.ToDisplayString() == "System.Math" && HostMath.MathMethods.TryGetValue(method.Name, out var op)
                && Symbols.NumericType(method.ReturnType) is not null
                ? op
                : null;

        private Expr? LowerHostFunction(InvocationExpressionSyntax syntax, IMethodSymbol method, OpCode op)
        {
            var constant = _model.GetConstantValue(syntax, _cancellationToken);
            if (constant.HasValue && Symbols.ToDouble(constant.Value) is { } folded) return Expr.Const(folded, Symbols.NumericType(method.ReturnType)!.Value);
            var args = syntax.ArgumentList.Arguments.Select(a => Lower(a.Expression)).ToList();
            if (args.Any(a => a is null)) return null;
            if (args.Any(a => a!.Kind != ValueKind.Number))
                return Unsupported(syntax, $"Math.{method.Name} of a tensor; use the DSL's {method.Name}{Suggestions.For(method.Name, _model.Compilation)}");
            return Expr.Number(op, Symbols.NumericType(method.ReturnType)!.Value, args.ToArray()!);
        }

        /// <summary>The attribute a call builds from its enum, string and <c>[Constant]</c> arguments: a metric,
        /// named axes, or an index (and count).</summary>
        private sealed class AttrArguments
        {
            public Metric? Metric;
            public List<string>? Axes;
            public List<int> Constants = new();
            public bool Failed;

            public NodeAttr? Build() =>
                Metric is { } m ? new MetricAttr(m)
                : Axes is not null ? new AxesAttr(Axes.ToEquatableArray())
                : Constants.Count > 0 ? new IndexAttr(Constants[0], Constants.Count > 1 ? Constants[1] : 0)
                : null;
        }

        private void LowerArgument(InvocationExpressionSyntax call, IMethodSymbol method, IArgumentOperation argument, List<Expr?> args, AttrArguments attr)
        {
            var parameter = argument.Parameter!;
            if (parameter.Type.TypeKind == TypeKind.Enum)
            {
                var value = argument.Value.ConstantValue;
                var member = parameter.Type.GetMembers().OfType<IFieldSymbol>()
                    .FirstOrDefault(f => f.HasConstantValue && Equals(f.ConstantValue, value.Value));
                if (member is null) NotConstant(argument.Syntax, parameter, method);
                else attr.Metric = Attrs.MetricNamed(member.Name);
                return;
            }
            if (parameter.Type.SpecialType == SpecialType.System_String
                || parameter.Type is IArrayTypeSymbol { ElementType.SpecialType: SpecialType.System_String })
            {
                attr.Axes ??= new List<string>();
                var values = argument.Value is IArrayCreationOperation { Initializer: { } init } ? init.ElementValues.ToArray() : new[] { argument.Value };
                foreach (var v in values)
                {
                    if (v.ConstantValue is { HasValue: true, Value: string s }) attr.Axes.Add(s);
                    else NotConstant(v.Syntax, parameter, method);
                }
                return;
            }
            if (parameter.GetAttributes().Any(a => Symbols.Is(a.AttributeClass, "ConstantAttribute")))
            {
                if (argument.Value.ConstantValue is { HasValue: true, Value: int k }) attr.Constants.Add(k);
                else NotConstant(argument.Syntax, parameter, method);
                return;
            }
            if (argument.ArgumentKind == ArgumentKind.DefaultValue)
            {
                args.Add(Expr.Const(Symbols.ToDouble(parameter.ExplicitDefaultValue) ?? 0.0, Symbols.NumericType(parameter.Type) ?? NumericType.Double));
                return;
            }
            var syntax = argument.Syntax is ArgumentSyntax a ? a.Expression : (ExpressionSyntax)argument.Syntax;
            var lowered = Lower(syntax);
            if (lowered is not null && parameter.GetAttributes().Any(x => Symbols.Is(x.AttributeClass, "TemperatureAttribute")))
                CheckTemperature(syntax, lowered);
            args.Add(lowered);

            void NotConstant(SyntaxNode at, IParameterSymbol p, IMethodSymbol m)
            {
                _diagnostics.Add(Diagnostics.NotConstant, at, _term.Name, p.Name, m.Name);
                attr.Failed = true;
                _failed = true;
            }
        }

        /// <summary>A temperature known at compile time (a constant, or a hyper-parameter's constant default) must be
        /// a positive finite number; a hyper-parameter passed as one is checked at run time too.</summary>
        private void CheckTemperature(ExpressionSyntax syntax, Expr temperature)
        {
            if (temperature.Attr is HyperAttr passed) _temperatures.Add(passed.Name);
            double? value = temperature.Attr switch
            {
                ConstAttr c => c.Value,
                HyperAttr h => _hypers.TryGetValue(h.Name, out var hyper) && _knownDefaults.Contains(h.Name) ? hyper.Default : null,
                _ => null,
            };
            if (value is { } v && !Parser.IsPositiveFinite(v))
            {
                var shown = temperature.Op == OpCode.Hyper ? $"'{syntax}' (default {Symbols.Show(v)})" : Symbols.Show(v);
                _diagnostics.Add(Diagnostics.BadTemperature, syntax, $"Term '{_term.Name}'", shown);
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
            ForStatementSyntax => "a 'for' loop (reduce with Over(...).Sum(), RowSum() or Sum(\"axis\") instead)",
            ForEachStatementSyntax => "a 'foreach' loop (reduce with Over(...).Sum(), RowSum() or Sum(\"axis\") instead)",
            WhileStatementSyntax => "a 'while' loop",
            DoStatementSyntax => "a 'do' loop",
            LocalDeclarationStatementSyntax l when l.IsConst => $"a constant declaration ('{l.Declaration.Variables.FirstOrDefault()?.Identifier.Text}'; make it a [Hyper] or a literal)",
            LocalDeclarationStatementSyntax l => $"a 'using' declaration ('{l.Declaration.Variables.FirstOrDefault()?.Identifier.Text}')",
            LocalFunctionStatementSyntax f => $"a local function ('{f.Identifier.Text}')",
            IfStatementSyntax => "an 'if' statement (select entries with Where(condition, a, b))",
            ExpressionStatementSyntax => "an expression statement",
            ReturnStatementSyntax => "a second 'return' statement",
            ConditionalExpressionSyntax => "a conditional expression ('?:'; select entries with Where(condition, a, b))",
            LambdaExpressionSyntax => "a lambda",
            ObjectCreationExpressionSyntax or ImplicitObjectCreationExpressionSyntax => "an object creation ('new')",
            ElementAccessExpressionSyntax => "an indexer (read a target entry with Pick(labels), rows with Rows(index), a column with Column(k))",
            AssignmentExpressionSyntax => "an assignment",
            SwitchExpressionSyntax => "a switch expression",
            CastExpressionSyntax => "a cast",
            InterpolatedStringExpressionSyntax => "a string",
            ThrowExpressionSyntax => "a throw expression",
            _ => $"'{syntax}' ({syntax.Kind()})",
        };
    }
}
