using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using LossDsl.Ir;
using static TorchSharp.torch;

namespace LossDsl.Runtime;

/// <summary>One IR node evaluated over its arguments' values: a <see cref="Tensor"/> (tensors, graphs,
/// conditions), a <see cref="MaskedRelation"/>, a <see cref="TripletTensor"/>, a <see cref="Matching"/>, or a
/// <c>double</c> (numbers, already folded by <see cref="IrTransforms.BindHypers"/>). Every operation runs the
/// <see cref="Ops"/> method that <see cref="RuntimeCalls"/> names, as generated code does, found by name and the
/// arguments' run-time types.</summary>
internal static class NodeEvaluator
{
    public static object Evaluate(LossIr ir, IrTypes types, IrNode node, object[] values,
        IReadOnlyDictionary<string, Tensor> inputs, BoundShapes shapes)
    {
        switch (node.Op)
        {
            case OpCode.Input: return inputs[node.Name];
            case OpCode.Const: return node.Number;
            case OpCode.Hyper: throw new InvalidOperationException($"Hyper-parameter '{node.Name}' was not bound.");
        }
        if (node.Kind == ValueKind.Number) throw new InvalidOperationException($"Number node {node.Id} ({node.Op}) was not folded.");
        var call = RuntimeCalls.For(ir, types, node)!;
        var args = call.Args.Select(a => a switch
        {
            NodeArg { Alignment.Count: > 0 } n => Ops.Align((Tensor)values[n.Node], n.Alignment.ToArray(), n.Rank),
            NodeArg n => values[n.Node],
            LongArg l => l.Value,
            AxesArg x => x.Axes.ToArray(),
            SizeArg z => TypeInference.IsLiteral(z.Symbol, out var size) ? size : shapes[z.Symbol],
            MetricArg m => m.Metric,
            BoolArg b => b.Value,
            IgnoreArg i => (object?)i.Index,
            DeviceArg => shapes.Device,
            FloatTypeArg => shapes.FloatType,
            _ => throw new InvalidOperationException($"Unknown runtime argument {a}."),
        }).ToArray();
        return Invoke(call.Method, args, node);
    }

    private static readonly ConcurrentDictionary<string, MethodInfo[]> ByName = new();

    private static object Invoke(string name, object?[] args, IrNode node)
    {
        var candidates = ByName.GetOrAdd(name, n =>
            typeof(Ops).GetMethods(BindingFlags.Public | BindingFlags.Static).Where(m => m.Name == n).ToArray());
        foreach (var method in candidates)
        {
            var parameters = method.GetParameters();
            if (parameters.Length != args.Length) continue;
            if (parameters.Zip(args, Fits).All(ok => ok)) return method.Invoke(null, args)!;
        }
        var given = string.Join(", ", args.Select(a => a?.GetType().Name ?? "null"));
        throw new NotSupportedException($"No Ops.{name}({given}) for node {node.Id} ({node.Op}).");
    }

    private static bool Fits(ParameterInfo parameter, object? arg)
    {
        var type = parameter.ParameterType;
        if (arg is null) return !type.IsValueType || Nullable.GetUnderlyingType(type) is not null;
        return type.IsInstanceOfType(arg) || Nullable.GetUnderlyingType(type) == arg.GetType();
    }
}
