using System;
using System.Collections.Generic;
using LossDsl.Ir;
using static TorchSharp.torch;

namespace LossDsl.Runtime;

/// <summary>One IR node evaluated over its arguments' values: a <see cref="Tensor"/> (tensors and
/// graphs), a <see cref="MaskedRelation"/>, a <see cref="TripletTensor"/>, or a <c>double</c> (numbers,
/// already folded by <see cref="IrTransforms.BindHypers"/>).</summary>
internal static class NodeEvaluator
{
    public static object Evaluate(IrNode node, object[] values, IReadOnlyDictionary<string, Tensor> inputs, BoundShapes shapes)
    {
        object A(int i) => values[node.Args[i]];
        Tensor T(int i) => (Tensor)A(i);
        double D(int i) => (double)A(i);

        return node.Op switch
        {
            OpCode.Input => inputs[node.Name],
            OpCode.Const => node.Number,
            OpCode.Hyper => throw new InvalidOperationException($"Hyper-parameter '{IrNames.HyperName(node)}' was not bound."),

            OpCode.Add or OpCode.Sub or OpCode.Mul or OpCode.Div => Arithmetic.Binary(node.Op, A(0), A(1)),
            OpCode.Neg => Arithmetic.Negate(A(0)),

            OpCode.Exp => Elementwise(A(0), Ops.Exp, Ops.Exp),
            OpCode.Log => Elementwise(A(0), Ops.Log, Ops.Log),
            OpCode.Sqrt => Elementwise(A(0), Ops.Sqrt, Ops.Sqrt),
            OpCode.Square => Elementwise(A(0), Ops.Square, Ops.Square),
            OpCode.Abs => Elementwise(A(0), Ops.Abs, Ops.Abs),
            OpCode.Relu => Elementwise(A(0), Ops.Relu, Ops.Relu),
            OpCode.Softplus => Elementwise(A(0), Ops.Softplus, Ops.Softplus),
            OpCode.Sigmoid => Elementwise(A(0), Ops.Sigmoid, Ops.Sigmoid),
            OpCode.LogSigmoid => Elementwise(A(0), Ops.LogSigmoid, Ops.LogSigmoid),
            OpCode.StopGradient => Elementwise(A(0), Ops.StopGradient, Ops.StopGradient),

            OpCode.Normalize => Ops.Normalize(T(0)),
            OpCode.Softmax => node.Args.Count == 2 ? Ops.Softmax(T(0), D(1)) : Ops.Softmax(T(0)),
            OpCode.LogSoftmax => node.Args.Count == 2 ? Ops.LogSoftmax(T(0), D(1)) : Ops.LogSoftmax(T(0)),
            OpCode.RowNorm => Ops.RowNorm(T(0)),

            OpCode.CrossEntropy => Ops.CrossEntropy(T(0), T(1)),
            OpCode.KL => Ops.KL(T(0), T(1)),
            OpCode.Mse => Ops.Mse(T(0), T(1)),
            OpCode.SmoothL1 => Ops.SmoothL1(T(0), T(1), D(2)),

            OpCode.Pairwise => Ops.Pairwise(T(0), T(1), node.Name, IrNames.IsSelfPairwise(node)),
            OpCode.MeanNormalized => Ops.MeanNormalized(T(0)),
            OpCode.SameLabel => Ops.SameLabel(T(0)),
            OpCode.DifferentLabel => Ops.DifferentLabel(T(0)),
            OpCode.AllPairs => Ops.AllPairs(shapes[ShapeInference.Batch], shapes.Device),
            OpCode.ExcludeSelf => Ops.ExcludeSelf(T(0)),
            OpCode.Over => Ops.Over(T(0), T(1)),

            OpCode.RowSum => Ops.RowSum((MaskedRelation)A(0)),
            OpCode.RowMean => Ops.RowMean((MaskedRelation)A(0)),
            OpCode.RowLogSumExp => Ops.RowLogSumExp((MaskedRelation)A(0)),
            OpCode.RowMax => Ops.RowMax((MaskedRelation)A(0)),
            OpCode.RowMin => Ops.RowMin((MaskedRelation)A(0)),

            OpCode.Mean => Reduce(A(0), Ops.Mean, Ops.Mean, Ops.Mean),
            OpCode.Sum => Reduce(A(0), Ops.Sum, Ops.Sum, Ops.Sum),
            OpCode.MeanNonZero => Reduce(A(0), Ops.MeanNonZero, Ops.MeanNonZero, Ops.MeanNonZero),

            OpCode.Triplets => Ops.Triplets(T(0), T(1), T(2)),
            OpCode.MineHard => Ops.MineHard((TripletTensor)A(0)),
            OpCode.MineSemiHard => Ops.MineSemiHard((TripletTensor)A(0), D(1)),

            _ => throw new NotSupportedException($"The interpreter does not know operation {node.Op}."),
        };
    }

    private static object Elementwise(object x, Func<Tensor, Tensor> onTensor, Func<TripletTensor, TripletTensor> onTriplets) => x switch
    {
        Tensor t => onTensor(t),
        TripletTensor t => onTriplets(t),
        _ => throw new InvalidOperationException($"An element-wise function needs a tensor or triplets, not a {x.GetType().Name}."),
    };

    private static Tensor Reduce(object x, Func<Tensor, Tensor> onTensor, Func<MaskedRelation, Tensor> onMasked,
        Func<TripletTensor, Tensor> onTriplets) => x switch
    {
        Tensor t => onTensor(t),
        MaskedRelation m => onMasked(m),
        TripletTensor t => onTriplets(t),
        _ => throw new InvalidOperationException($"A reduction needs a tensor, a masked relation or triplets, not a {x.GetType().Name}."),
    };
}
