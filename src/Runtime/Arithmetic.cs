using System;
using LossDsl.Ir;
using static TorchSharp.torch;

namespace LossDsl.Runtime;

/// <summary>The interpreter's + − · / and negation over numbers, tensors and triplets, written with
/// the same C# operators generated code uses.</summary>
internal static class Arithmetic
{
    public static object Binary(OpCode op, object a, object b) => (a, b) switch
    {
        (double x, double y) => op switch { OpCode.Add => x + y, OpCode.Sub => x - y, OpCode.Mul => x * y, _ => x / y },
        (TripletTensor x, TripletTensor y) => op switch { OpCode.Add => x + y, OpCode.Sub => x - y, OpCode.Mul => x * y, _ => x / y },
        (TripletTensor x, Tensor y) => op switch { OpCode.Add => x + y, OpCode.Sub => x - y, OpCode.Mul => x * y, _ => x / y },
        (Tensor x, TripletTensor y) => op switch { OpCode.Add => x + y, OpCode.Sub => x - y, OpCode.Mul => x * y, _ => x / y },
        (TripletTensor x, double y) => op switch { OpCode.Add => x + y, OpCode.Sub => x - y, OpCode.Mul => x * y, _ => x / y },
        (double x, TripletTensor y) => op switch { OpCode.Add => x + y, OpCode.Sub => x - y, OpCode.Mul => x * y, _ => x / y },
        (Tensor x, Tensor y) => Tensors(op, RowBroadcast(x, y), RowBroadcast(y, x)),
        (Tensor x, double y) => op switch { OpCode.Add => Scalars.Add(x, y), OpCode.Sub => Scalars.Sub(x, y), OpCode.Mul => Scalars.Mul(x, y), _ => Scalars.Div(x, y) },
        (double x, Tensor y) => op switch { OpCode.Add => Scalars.Add(x, y), OpCode.Sub => Scalars.Sub(x, y), OpCode.Mul => Scalars.Mul(x, y), _ => Scalars.Div(x, y) },
        _ => throw new InvalidOperationException($"No {op} between a {a.GetType().Name} and a {b.GetType().Name}."),
    };

    public static object Negate(object x) => x switch
    {
        double d => -d,
        Tensor t => -t,
        TripletTensor t => -t,
        _ => throw new InvalidOperationException($"Cannot negate a {x.GetType().Name}."),
    };

    private static Tensor Tensors(OpCode op, Tensor x, Tensor y) =>
        op switch { OpCode.Add => Scalars.Add(x, y), OpCode.Sub => Scalars.Sub(x, y), OpCode.Mul => Scalars.Mul(x, y), _ => Scalars.Div(x, y) };

    /// <summary>Relation ⊕ Vector broadcasts the vector along rows: <c>v_i</c> meets <c>r_ij</c>.</summary>
    private static Tensor RowBroadcast(Tensor x, Tensor other) =>
        x.dim() == 1 && other.dim() == 2 ? x.unsqueeze(1) : x;
}
