using System.Collections.Generic;

namespace LossDsl.Ir
{
    /// <summary>One entry of the operator catalog: how an operation reads in mathematical notation.</summary>
    /// <param name="Code">The operation.</param>
    /// <param name="Notation">A format string over the arguments' notations ({0}, {1}, ...).</param>
    public sealed record OpInfo(OpCode Code, string Notation);

    /// <summary>The single table of operator notations, shared by the generator (formula comments,
    /// <c>Describe()</c>) and the runtime (interpreter messages, traced <c>Describe</c>).</summary>
    public static class OpCatalog
    {
        private static readonly Dictionary<OpCode, OpInfo> Table = Build(
            new OpInfo(OpCode.Add, "{0} + {1}"),
            new OpInfo(OpCode.Sub, "{0} − {1}"),
            new OpInfo(OpCode.Mul, "{0} · {1}"),
            new OpInfo(OpCode.Div, "{0} / {1}"),
            new OpInfo(OpCode.Neg, "−{0}"),
            new OpInfo(OpCode.Exp, "exp({0})"),
            new OpInfo(OpCode.Log, "log({0})"),
            new OpInfo(OpCode.Sqrt, "√({0})"),
            new OpInfo(OpCode.Square, "({0})²"),
            new OpInfo(OpCode.Abs, "|{0}|"),
            new OpInfo(OpCode.Relu, "relu({0})"),
            new OpInfo(OpCode.Softplus, "softplus({0})"),
            new OpInfo(OpCode.Sigmoid, "σ({0})"),
            new OpInfo(OpCode.LogSigmoid, "log σ({0})"),
            new OpInfo(OpCode.StopGradient, "sg({0})"),
            new OpInfo(OpCode.Normalize, "normalize({0})"),
            new OpInfo(OpCode.Softmax, "softmax({0})"),
            new OpInfo(OpCode.LogSoftmax, "log_softmax({0})"),
            new OpInfo(OpCode.RowNorm, "‖{0}_i‖"),
            new OpInfo(OpCode.CrossEntropy, "mean_i CE({0}_i, {1}_i)"),
            new OpInfo(OpCode.KL, "(1/N) Σ_i KL({0}_i ‖ exp {1}_i)"),
            new OpInfo(OpCode.Mse, "mean (({0}) − ({1}))²"),
            new OpInfo(OpCode.SmoothL1, "mean smoothL1({0} − {1}; β = {2})"),
            new OpInfo(OpCode.Pairwise, "pairwise({0}, {1})"),
            new OpInfo(OpCode.MeanNormalized, "{0} / mean({0} > 0)"),
            new OpInfo(OpCode.SameLabel, "[{0}_i = {0}_j]"),
            new OpInfo(OpCode.DifferentLabel, "[{0}_i ≠ {0}_j]"),
            new OpInfo(OpCode.AllPairs, "[all pairs]"),
            new OpInfo(OpCode.ExcludeSelf, "{0} ∧ [i ≠ j]"),
            new OpInfo(OpCode.Over, "{0} over {1}"),
            new OpInfo(OpCode.RowSum, "Σ_j ({0})"),
            new OpInfo(OpCode.RowMean, "mean_j ({0})"),
            new OpInfo(OpCode.RowLogSumExp, "log Σ_j exp({0})"),
            new OpInfo(OpCode.RowMax, "max_j ({0})"),
            new OpInfo(OpCode.RowMin, "min_j ({0})"),
            new OpInfo(OpCode.Mean, "mean({0})"),
            new OpInfo(OpCode.Sum, "Σ({0})"),
            new OpInfo(OpCode.MeanNonZero, "mean_{{>0}}({0})"),
            new OpInfo(OpCode.Triplets, "({0})_ap − ({0})_an for (a,p) ∈ {1}, (a,n) ∈ {2}"),
            new OpInfo(OpCode.MineHard, "hard({0})"),
            new OpInfo(OpCode.MineSemiHard, "semihard_m=({1})({0})"));

        public static OpInfo Get(OpCode code) =>
            Table.TryGetValue(code, out var info) ? info : new OpInfo(code, code + "({0})");

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
            _ => null,
        };

        /// <summary>Kinds a loss may take as inputs (the types of <c>[Term]</c> parameters).</summary>
        public static bool IsInputKind(ValueKind kind) => kind switch
        {
            ValueKind.Real or ValueKind.Vector or ValueKind.Labels or ValueKind.Logits
                or ValueKind.Probs or ValueKind.LogProbs or ValueKind.Embeddings => true,
            _ => false,
        };

        private static Dictionary<OpCode, OpInfo> Build(params OpInfo[] infos)
        {
            var table = new Dictionary<OpCode, OpInfo>();
            foreach (var info in infos) table[info.Code] = info;
            return table;
        }
    }
}
