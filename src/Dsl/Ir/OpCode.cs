namespace LossDsl.Ir
{
    /// <summary>Every operation of the IR, each with a stable explicit id. The DSL's <c>[DslOp]</c> stores the
    /// id as a number that the generator reads back, so a DSL and a generator from different builds agree as long
    /// as ids are never reused or changed: add new operations with new ids, never renumber
    /// (<c>OpCodeIdTests</c> holds the table). <see cref="OpCatalog"/> holds what each one means; to add one,
    /// follow docs/CONTRIBUTING.md ("Add an operator").</summary>
    public enum OpCode
    {
        // Leaves
        Input = 1,
        Hyper = 2,
        Const = 3,

        // Arithmetic: on host numbers and on tensors (broadcast by named axes, see TypeInference)
        Add = 10,
        Sub = 11,
        Mul = 12,
        Div = 13,
        Neg = 14,
        Pow = 15,
        Minimum = 16,
        Maximum = 17,
        LogAddExp = 18,

        // Element-wise functions (also host math on numbers where C# has them: Math.Exp, Math.Cos, ...)
        Exp = 30,
        Log = 31,
        Sqrt = 32,
        Square = 33,
        Abs = 34,
        Relu = 35,
        Softplus = 36,
        Sigmoid = 37,
        LogSigmoid = 38,
        StopGradient = 39,
        Cos = 40,
        Sin = 41,
        Acos = 42,
        Clamp = 43,
        Log1p = 44,
        Tanh = 45,

        // Conditions and selection
        Less = 60,
        LessEq = 61,
        Greater = 62,
        GreaterEq = 63,
        Where = 64,
        And = 65,
        Or = 66,
        Not = 67,
        CountTrue = 68,
        AnyTrue = 69,
        Valid = 70,
        Indicator = 71,

        // Feature-axis operations (the last axis)
        Normalize = 80,
        Softmax = 81,
        LogSoftmax = 82,
        RowNorm = 83,
        RowDot = 84,

        // Reductions: Row* reduce the last axis (or the named axes) of a dense value, or the selected pairs of a
        // masked one; Mean, Sum and MeanNonZero reduce everything
        RowSum = 100,
        RowMean = 101,
        RowLogSumExp = 102,
        RowMax = 103,
        RowMin = 104,
        Mean = 105,
        Sum = 106,
        MeanNonZero = 107,
        MeanWhere = 108,
        SumWhere = 109,
        Count = 110,
        CountPositive = 111,

        // Criteria
        CrossEntropy = 120,
        KL = 121,
        Mse = 122,
        SmoothL1 = 123,
        CrossEntropyPerSample = 124,
        KLPerSample = 125,
        WeightedCrossEntropy = 126,

        // Relations
        Pairwise = 140,
        Angles = 141,
        MeanNormalized = 142,
        Transpose = 143,
        PerRow = 144,
        PerColumn = 145,
        As = 146,

        // Graphs: which pairs count
        SameLabel = 160,
        DifferentLabel = 161,
        AllPairs = 162,
        ExcludeSelf = 163,
        Over = 164,
        Identity = 165,
        ClassOf = 166,
        OtherView = 167,
        HasAny = 168,

        // Indexing
        Pick = 180,
        Rows = 181,
        Column = 182,
        Part = 183,
        AtPairs = 184,
        Columns = 185,

        // Triplets
        Triplets = 200,
        MineHard = 201,
        MineSemiHard = 202,
        AnchorPositive = 203,
        AnchorNegative = 204,

        // Host operations (not differentiated; they choose what the loss differentiates)
        Assign = 220,
        MatchedRows = 221,
        MatchedColumns = 222,
        MatchedLabels = 223,
    }
}
