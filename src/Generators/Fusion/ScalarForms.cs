using System.Collections.Generic;
using LossDsl.Ir;

namespace LossDsl.Generators.Fusion
{
    /// <summary>The element-wise operations of the catalogue that may sit inside a fused pair formula, with the
    /// <see cref="PairFormula"/> operation each becomes (its scalar form; <see cref="PairFormula.Derivative"/> holds
    /// its derivative, and the runtime's <c>IPairMath</c> its SIMD and ILGPU implementations). An operation missing
    /// here keeps its region unfused. Adding one: an entry here, a case in <see cref="UnaryOp"/> or
    /// <see cref="BinaryOp"/> with its derivative, and the method in <c>IPairMath</c> and its implementations.</summary>
    internal static class ScalarForms
    {
        public static readonly IReadOnlyDictionary<OpCode, UnaryOp> Unary = new Dictionary<OpCode, UnaryOp>
        {
            [OpCode.Neg] = UnaryOp.Neg,
            [OpCode.Exp] = UnaryOp.Exp,
            [OpCode.Log] = UnaryOp.Log,
            [OpCode.Sqrt] = UnaryOp.Sqrt,
            [OpCode.Square] = UnaryOp.Square,
            [OpCode.Abs] = UnaryOp.Abs,
            [OpCode.Relu] = UnaryOp.Relu,
            [OpCode.Softplus] = UnaryOp.Softplus,
            [OpCode.Sigmoid] = UnaryOp.Sigmoid,
            [OpCode.LogSigmoid] = UnaryOp.LogSigmoid,
            [OpCode.StopGradient] = UnaryOp.StopGradient,
        };

        public static readonly IReadOnlyDictionary<OpCode, BinaryOp> Binary = new Dictionary<OpCode, BinaryOp>
        {
            [OpCode.Add] = BinaryOp.Add,
            [OpCode.Sub] = BinaryOp.Sub,
            [OpCode.Mul] = BinaryOp.Mul,
            [OpCode.Div] = BinaryOp.Div,
            [OpCode.Minimum] = BinaryOp.Min,
            [OpCode.Maximum] = BinaryOp.Max,
            [OpCode.LogAddExp] = BinaryOp.LogAddExp,
        };
    }
}
