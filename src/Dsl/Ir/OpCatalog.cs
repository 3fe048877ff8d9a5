using System.Collections.Generic;
using System.Linq;

namespace LossDsl.Ir
{
    /// <summary>Every operation of the IR, each with a stable explicit id. The DSL's <c>[DslOp]</c> stores the
    /// id as a number that the generator reads back, so a DSL and a generator from different builds agree as long
    /// as ids are never reused or changed: add new operations with new ids, never renumber
    /// (<c>OpCatalogTests</c> holds the table). <see cref="OpCatalog"/>, below, holds what each one means; to
    /// add one, follow docs/CONTRIBUTING.md ("Add an operator").</summary>
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

        // Relational zoo, part 1 (ids 300–349): class prototypes and order graphs
        MeanOf = 300,
        Earlier = 301,
        NextRow = 302,

        // Zoo part 2 (ids 350–399): sorting, causal-LM token gathers, one-to-many matching
        Sort = 350,
        NextTokenLogProbs = 351,
        AssignMany = 352,
        PredictedTokens = 353,
    }

    /// <summary>How an operation's result type follows from its arguments' (see <see cref="TypeInference"/>).</summary>
    public enum ShapeRule
    {
        /// <summary>A leaf: its type comes from its attribute (an input's dimensions, a number).</summary>
        Leaf,
        /// <summary>The type of the first argument (element-wise functions, row-wise maps).</summary>
        SameAsFirst,
        /// <summary>Element-wise over two or more arguments, broadcast by named axes.</summary>
        Broadcast,
        /// <summary>The first argument without its last axis (or without the named axes of an <see cref="AxesAttr"/>).</summary>
        DropLast,
        /// <summary>A 0-d value.</summary>
        ToReal,
        /// <summary>A rule of its own, written out in <see cref="TypeInference"/>.</summary>
        Custom,
    }

    /// <summary>One entry of the operation catalogue.</summary>
    /// <param name="Code">The operation and its stable id.</param>
    /// <param name="Notation">How it reads in mathematical notation, over its arguments' notations ({0}, {1}, ...).</param>
    /// <param name="Shape">How its result's dimensions follow from its arguments'.</param>
    /// <param name="Runtime">The <c>LossDsl.Runtime.Ops</c> method generated code and the interpreter call with the
    /// arguments in order (numbers as <c>double</c>), then what <see cref="RuntimeCalls"/> adds (a metric, axis
    /// positions, bound sizes, an ignored label index); null for leaves, which are written inline.</param>
    public sealed record OpInfo(OpCode Code, string Notation, ShapeRule Shape, string? Runtime);

    /// <summary>The single table of operations: notation, shape rule and run-time op. The generator (formula
    /// comments, <c>Describe()</c>, emission), the interpreter and the describer read it, and
    /// <c>OpCatalogTests</c> holds every entry whole (a DSL method, a runtime method, an interpreter case, a shape
    /// rule). Element-wise operations that may sit inside a fused pairwise reduction also declare their scalar form
    /// and derivative in <c>src/Generators/Fusion/ScalarForms.cs</c> (the unary and binary forms <c>PairFormula</c> prints and differentiates).</summary>
    public static class OpCatalog
    {
        private static OpInfo Op(OpCode code, string notation, ShapeRule shape, string? runtime = "") =>
            new(code, notation, shape, runtime == "" ? code.ToString() : runtime);

        private static readonly Dictionary<OpCode, OpInfo> Table = new[]
        {
            Op(OpCode.Input, "an input, by name", ShapeRule.Leaf, null),
            Op(OpCode.Hyper, "a hyper-parameter, by name", ShapeRule.Leaf, null),
            Op(OpCode.Const, "a number", ShapeRule.Leaf, null),

            Op(OpCode.Add, "{0} + {1}", ShapeRule.Broadcast),
            Op(OpCode.Sub, "{0} − {1}", ShapeRule.Broadcast),
            Op(OpCode.Mul, "{0} · {1}", ShapeRule.Broadcast),
            Op(OpCode.Div, "{0} / {1}", ShapeRule.Broadcast),
            Op(OpCode.Neg, "−{0}", ShapeRule.SameAsFirst),
            Op(OpCode.Pow, "({0})^{1}", ShapeRule.SameAsFirst),
            Op(OpCode.Minimum, "min({0}, {1})", ShapeRule.Broadcast),
            Op(OpCode.Maximum, "max({0}, {1})", ShapeRule.Broadcast),
            Op(OpCode.LogAddExp, "log(e^{0} + e^{1})", ShapeRule.Broadcast),

            Op(OpCode.Exp, "exp({0})", ShapeRule.SameAsFirst),
            Op(OpCode.Log, "log({0})", ShapeRule.SameAsFirst),
            Op(OpCode.Sqrt, "√({0})", ShapeRule.SameAsFirst),
            Op(OpCode.Square, "({0})²", ShapeRule.SameAsFirst),
            Op(OpCode.Abs, "|{0}|", ShapeRule.SameAsFirst),
            Op(OpCode.Relu, "relu({0})", ShapeRule.SameAsFirst),
            Op(OpCode.Softplus, "softplus({0})", ShapeRule.SameAsFirst),
            Op(OpCode.Sigmoid, "σ({0})", ShapeRule.SameAsFirst),
            Op(OpCode.LogSigmoid, "log σ({0})", ShapeRule.SameAsFirst),
            Op(OpCode.StopGradient, "sg({0})", ShapeRule.SameAsFirst),
            Op(OpCode.Cos, "cos({0})", ShapeRule.SameAsFirst),
            Op(OpCode.Sin, "sin({0})", ShapeRule.SameAsFirst),
            Op(OpCode.Acos, "acos({0})", ShapeRule.SameAsFirst),
            Op(OpCode.Clamp, "clamp({0}, {1}, {2})", ShapeRule.SameAsFirst),
            Op(OpCode.Log1p, "log(1 + {0})", ShapeRule.SameAsFirst),
            Op(OpCode.Tanh, "tanh({0})", ShapeRule.SameAsFirst),

            Op(OpCode.Less, "[{0} < {1}]", ShapeRule.Broadcast),
            Op(OpCode.LessEq, "[{0} ≤ {1}]", ShapeRule.Broadcast),
            Op(OpCode.Greater, "[{0} > {1}]", ShapeRule.Broadcast),
            Op(OpCode.GreaterEq, "[{0} ≥ {1}]", ShapeRule.Broadcast),
            Op(OpCode.Where, "({0} ? {1} : {2})", ShapeRule.Broadcast),
            Op(OpCode.And, "{0} ∧ {1}", ShapeRule.Broadcast),
            Op(OpCode.Or, "{0} ∨ {1}", ShapeRule.Broadcast),
            Op(OpCode.Not, "¬{0}", ShapeRule.SameAsFirst),
            Op(OpCode.CountTrue, "#{0}", ShapeRule.ToReal),
            Op(OpCode.AnyTrue, "∃ {0}", ShapeRule.ToReal),
            Op(OpCode.Valid, "[{0} not ignored]", ShapeRule.SameAsFirst),
            Op(OpCode.Indicator, "1[{0}]", ShapeRule.SameAsFirst),

            Op(OpCode.Normalize, "normalize({0})", ShapeRule.SameAsFirst),
            Op(OpCode.Softmax, "softmax({0})", ShapeRule.SameAsFirst),
            Op(OpCode.LogSoftmax, "log_softmax({0})", ShapeRule.SameAsFirst),
            Op(OpCode.RowNorm, "‖{0}_i‖", ShapeRule.DropLast),
            Op(OpCode.RowDot, "⟨{0}_i, {1}_i⟩", ShapeRule.Custom),

            Op(OpCode.RowSum, "Σ_j ({0})", ShapeRule.DropLast),
            Op(OpCode.RowMean, "mean_j ({0})", ShapeRule.DropLast),
            Op(OpCode.RowLogSumExp, "log Σ_j exp({0})", ShapeRule.DropLast),
            Op(OpCode.RowMax, "max_j ({0})", ShapeRule.DropLast),
            Op(OpCode.RowMin, "min_j ({0})", ShapeRule.DropLast),
            Op(OpCode.Mean, "mean({0})", ShapeRule.ToReal),
            Op(OpCode.Sum, "Σ({0})", ShapeRule.ToReal),
            Op(OpCode.MeanNonZero, "mean_{{>0}}({0})", ShapeRule.ToReal),
            Op(OpCode.MeanWhere, "mean({0} where {1})", ShapeRule.ToReal),
            Op(OpCode.SumWhere, "Σ({0} where {1})", ShapeRule.ToReal),
            Op(OpCode.Count, "#{0}", ShapeRule.ToReal),
            Op(OpCode.CountPositive, "#[{0} > 0]", ShapeRule.ToReal),

            Op(OpCode.CrossEntropy, "mean_i CE({0}_i, {1}_i)", ShapeRule.Custom),
            Op(OpCode.KL, "(1/N) Σ_i KL({0}_i ‖ exp {1}_i)", ShapeRule.Custom),
            Op(OpCode.Mse, "mean (({0}) − ({1}))²", ShapeRule.Custom),
            Op(OpCode.SmoothL1, "mean smoothL1({0} − {1}; β = {2})", ShapeRule.Custom),
            Op(OpCode.CrossEntropyPerSample, "CE({0}_i, {1}_i)", ShapeRule.Custom),
            Op(OpCode.KLPerSample, "KL({0}_i ‖ exp {1}_i)", ShapeRule.Custom),
            Op(OpCode.WeightedCrossEntropy, "Σ_i w_({1}_i) CE({0}_i, {1}_i) / Σ_i w_({1}_i), w = {2}", ShapeRule.Custom),

            Op(OpCode.Pairwise, "pairwise({0}, {1})", ShapeRule.Custom),
            Op(OpCode.Angles, "cos∠({0}_j − {0}_i, {0}_k − {0}_i)", ShapeRule.Custom),
            Op(OpCode.MeanNormalized, "{0} / mean({0} > 0)", ShapeRule.SameAsFirst),
            Op(OpCode.Transpose, "({0})ᵀ", ShapeRule.Custom),
            Op(OpCode.PerRow, "{0}_i", ShapeRule.Custom),
            Op(OpCode.PerColumn, "{0}_j", ShapeRule.Custom),
            Op(OpCode.As, "{0}", ShapeRule.SameAsFirst),

            Op(OpCode.SameLabel, "[{0}_i = {1}_j]", ShapeRule.Custom),
            Op(OpCode.DifferentLabel, "[{0}_i ≠ {1}_j]", ShapeRule.Custom),
            Op(OpCode.AllPairs, "[all pairs]", ShapeRule.Custom),
            Op(OpCode.ExcludeSelf, "{0} ∧ [i ≠ j]", ShapeRule.Custom),
            Op(OpCode.Over, "{0} over {1}", ShapeRule.Custom),
            Op(OpCode.Identity, "[i = j]", ShapeRule.Custom),
            Op(OpCode.ClassOf, "[j = {0}_i]", ShapeRule.Custom),
            Op(OpCode.OtherView, "[j = i ± N/2]", ShapeRule.Custom),
            Op(OpCode.HasAny, "[∃ j: ({0})_ij]", ShapeRule.DropLast),

            Op(OpCode.Pick, "{0}_(i, {1}_i)", ShapeRule.Custom),
            Op(OpCode.Rows, "{0}[{1}]", ShapeRule.Custom),
            Op(OpCode.Column, "{0}[:, k]", ShapeRule.Custom),
            Op(OpCode.Part, "part({0})", ShapeRule.Custom),
            Op(OpCode.AtPairs, "{0} at {1}", ShapeRule.Custom),
            Op(OpCode.Columns, "{0}[:, {1}_j]", ShapeRule.Custom),

            Op(OpCode.Triplets, "({0})_ap − ({0})_an for (a,p) ∈ {1}, (a,n) ∈ {2}", ShapeRule.Custom),
            Op(OpCode.MineHard, "hard({0})", ShapeRule.SameAsFirst),
            Op(OpCode.MineSemiHard, "semihard_m=({1})({0})", ShapeRule.SameAsFirst),
            Op(OpCode.AnchorPositive, "({0})_ap for (a,p) ∈ {1}, (a,n) ∈ {2}", ShapeRule.Custom),
            Op(OpCode.AnchorNegative, "({0})_an for (a,p) ∈ {1}, (a,n) ∈ {2}", ShapeRule.Custom),

            Op(OpCode.Assign, "argmin_π Σ_i ({0})_(i, π(i))", ShapeRule.Custom),
            Op(OpCode.MatchedRows, "rows({0})", ShapeRule.Custom),
            Op(OpCode.MatchedColumns, "columns({0})", ShapeRule.Custom),
            Op(OpCode.MatchedLabels, "{1} matched by {0}, else {2}", ShapeRule.Custom),

            Op(OpCode.MeanOf, "mean_{{j ∈ {0}(i)}} {1}_j", ShapeRule.Custom, "MeanOfRows"),
            Op(OpCode.Earlier, "[j < i]", ShapeRule.Custom),
            Op(OpCode.NextRow, "[j = i + 1]", ShapeRule.Custom),
            Op(OpCode.Sort, "sort↑({0})", ShapeRule.SameAsFirst),
            Op(OpCode.NextTokenLogProbs, "log p({1}_t | {0}_(t−1))", ShapeRule.Custom),
            Op(OpCode.PredictedTokens, "[{0}_t predicted: t ≥ 1, not ignored]", ShapeRule.SameAsFirst),
            Op(OpCode.AssignMany, "{{(i, j): ({0})_ij ≥ {1}, best {2} per j}}", ShapeRule.Custom),
        }.ToDictionary(info => info.Code);

        /// <summary>Every operation, in id order.</summary>
        public static IEnumerable<OpInfo> All => Table.Values.OrderBy(i => (int)i.Code);

        /// <summary>The catalogue entry of <paramref name="code"/>.</summary>
        /// <exception cref="KeyNotFoundException">The operation has no entry (a completeness test prevents this).</exception>
        public static OpInfo Get(OpCode code) =>
            Table.TryGetValue(code, out var info) ? info : throw new KeyNotFoundException($"Operation {code} has no catalogue entry.");

        /// <summary>The kind that values of a DSL type (named without namespace) have, or null.</summary>
        public static ValueKind? KindOfDslType(string typeName) => typeName switch
        {
            "Real" => ValueKind.Real,
            "Vector" => ValueKind.Vector,
            "Labels" => ValueKind.Labels,
            "Logits" => ValueKind.Logits,
            "Probs" => ValueKind.Probs,
            "LogProbs" => ValueKind.LogProbs,
            "Embeddings" => ValueKind.Embeddings,
            "Relation" => ValueKind.Relation,
            "Graph" => ValueKind.Graph,
            "Masked" => ValueKind.Masked,
            "Triplets" => ValueKind.Triplets,
            "Tokens" => ValueKind.Tokens,
            "Indices" => ValueKind.Indices,
            "Condition" => ValueKind.Condition,
            "Matching" => ValueKind.Matching,
            "Boxes" => ValueKind.Boxes,
            _ => null,
        };

        /// <summary>Kinds a loss may take as inputs (the types of <c>[Term]</c> parameters).</summary>
        public static bool IsInputKind(ValueKind kind) => kind switch
        {
            ValueKind.Real or ValueKind.Vector or ValueKind.Labels or ValueKind.Logits or ValueKind.Probs
                or ValueKind.LogProbs or ValueKind.Embeddings or ValueKind.Tokens or ValueKind.Indices or ValueKind.Boxes => true,
            _ => false,
        };

        /// <summary>Kinds whose values hold integers (labels and indices).</summary>
        public static bool IsInteger(ValueKind kind) => kind is ValueKind.Labels or ValueKind.Indices;

        /// <summary>Host operations: computed on the host, not differentiated (the Hungarian matcher). A NaN cannot pass
        /// through them to the loss's value.</summary>
        public static bool IsHost(OpCode op) => op is OpCode.Assign;

        /// <summary>Kinds whose values hold booleans.</summary>
        public static bool IsBoolean(ValueKind kind) => kind is ValueKind.Graph or ValueKind.Condition;
    }
}
