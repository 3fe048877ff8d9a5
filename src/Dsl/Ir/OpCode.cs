namespace LossDsl.Ir
{
    /// <summary>Every operation of the IR. The DSL methods carry these codes in
    /// <c>[DslOp]</c>; <see cref="OpCatalog"/> holds each one's notation. To add an operator,
    /// follow docs/CONTRIBUTING.md ("Add an operator").</summary>
    public enum OpCode
    {
        // Leaves
        Input,
        Hyper,
        Const,

        // Arithmetic (on numbers and on tensors of any float kind; Relation ⊕ Vector broadcasts by row)
        Add,
        Sub,
        Mul,
        Div,
        Neg,

        // Element-wise functions
        Exp,
        Log,
        Sqrt,
        Square,
        Abs,
        Relu,
        Softplus,
        Sigmoid,
        LogSigmoid,
        StopGradient,

        // Row operations on [N, F] values
        Normalize,
        Softmax,
        LogSoftmax,
        RowNorm,

        // Criteria (to a scalar)
        CrossEntropy,
        KL,
        Mse,
        SmoothL1,

        // Relations and graphs
        Pairwise,
        MeanNormalized,
        SameLabel,
        DifferentLabel,
        AllPairs,
        ExcludeSelf,
        Over,

        // Masked row reductions: Masked -> Vector
        RowSum,
        RowMean,
        RowLogSumExp,
        RowMax,
        RowMin,

        // Reductions to a scalar
        Mean,
        Sum,
        MeanNonZero,

        // Triplets
        Triplets,
        MineHard,
        MineSemiHard,
    }
}
