using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace LossDsl.Ir
{
    /// <summary>The C# numeric type of a host number (a literal, a hyper-parameter, arithmetic on them), so
    /// folded values follow C#'s own arithmetic.</summary>
    public enum NumericType
    {
        Int = 1,
        Float = 2,
        Double = 3,
    }

    /// <summary>How a pairwise relation compares two rows.</summary>
    public enum Metric
    {
        /// <summary><c>⟨x_i, y_j⟩</c>.</summary>
        Dot = 1,
        /// <summary><c>⟨x_i, y_j⟩ / (‖x_i‖ ‖y_j‖)</c>: the dot product of normalised rows.</summary>
        Cosine = 2,
        /// <summary><c>‖x_i − y_j‖₂</c>.</summary>
        Euclidean = 3,
        /// <summary><c>‖x_i − y_j‖₂²</c>.</summary>
        SqEuclidean = 4,
        /// <summary><c>‖x_i − y_j‖₁</c> (<c>torch.cdist(p=1)</c>).</summary>
        L1 = 5,
        /// <summary>The generalized IoU of boxes <c>(cx, cy, w, h)</c> (Rezatofighi et al., 2019; DETR's matcher and loss).</summary>
        GeneralizedIoU = 6,
    }

    /// <summary>A node's typed attributes: what it needs besides its arguments. Value-equatable, so the
    /// generator's incremental pipeline caches on them and the DAG interns on them.</summary>
    public abstract record NodeAttr
    {
        /// <summary>How the attribute reads in generated code (a C# expression building it).</summary>
        public abstract string ToCSharp();

        private protected static string Str(string s) =>
            "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

        private protected static string Num(double v) =>
            double.IsNaN(v) ? "double.NaN"
            : double.IsPositiveInfinity(v) ? "double.PositiveInfinity"
            : double.IsNegativeInfinity(v) ? "double.NegativeInfinity"
            : v.ToString("R", CultureInfo.InvariantCulture) + "d";

        private protected static string Strings(EquatableArray<string> items) =>
            items.Count == 0 ? "default" : "new[] { " + string.Join(", ", items.Select(Str)) + " }";

        private protected const string Ns = "global::LossDsl.Ir.";
    }

    /// <summary>An input: its name, its declared dimensions (empty: the role's default template, see
    /// <see cref="TypeInference"/>) and, for labels, the index that marks an ignored entry.</summary>
    public sealed record InputAttr(string Name, EquatableArray<string> Dims, long? IgnoreIndex = null) : NodeAttr
    {
        public InputAttr(string name) : this(name, EquatableArray<string>.Empty) { }

        public override string ToCSharp() =>
            $"new {Ns}InputAttr({Str(Name)}, {Strings(Dims)}" +
            (IgnoreIndex is { } i ? $", {i}L" : "") + ")";
    }

    /// <summary>A hyper-parameter: its member name and C# type.</summary>
    public sealed record HyperAttr(string Name, NumericType Type) : NodeAttr
    {
        public override string ToCSharp() => $"new {Ns}HyperAttr({Str(Name)}, {Ns}NumericType.{Type})";
    }

    /// <summary>A constant and its C# type.</summary>
    public sealed record ConstAttr(double Value, NumericType Type) : NodeAttr
    {
        public override string ToCSharp() => $"new {Ns}ConstAttr({Num(Value)}, {Ns}NumericType.{Type})";
    }

    /// <summary>The C# type of host-number arithmetic (after C#'s promotion).</summary>
    public sealed record NumberAttr(NumericType Type) : NodeAttr
    {
        public override string ToCSharp() => $"new {Ns}NumberAttr({Ns}NumericType.{Type})";
    }

    /// <summary>The metric of a pairwise relation.</summary>
    public sealed record MetricAttr(Metric Metric) : NodeAttr
    {
        public override string ToCSharp() => $"new {Ns}MetricAttr({Ns}Metric.{Metric})";
    }

    /// <summary>The named axes a reduction runs over (empty: the last axis).</summary>
    public sealed record AxesAttr(EquatableArray<string> Axes) : NodeAttr
    {
        public override string ToCSharp() => $"new {Ns}AxesAttr({Strings(Axes)})";
    }

    /// <summary>A position: the column of an index tensor, or part <see cref="Index"/> of <see cref="Count"/>
    /// equal parts of the last axis.</summary>
    public sealed record IndexAttr(int Index, int Count = 0) : NodeAttr
    {
        public override string ToCSharp() => $"new {Ns}IndexAttr({Index}, {Count})";
    }

    /// <summary>Helpers for attributes.</summary>
    public static class Attrs
    {
        /// <summary>C#'s binary numeric promotion for the three types the DSL accepts.</summary>
        public static NumericType Promote(NumericType a, NumericType b) =>
            a == NumericType.Double || b == NumericType.Double ? NumericType.Double
            : a == NumericType.Float || b == NumericType.Float ? NumericType.Float
            : NumericType.Int;

        /// <summary>The C# keyword of a numeric type.</summary>
        public static string Keyword(NumericType type) => type switch
        {
            NumericType.Int => "int",
            NumericType.Float => "float",
            _ => "double",
        };

        /// <summary>The metric a DSL <c>Similarity</c> or <c>Distance</c> member names.</summary>
        public static Metric MetricNamed(string name) => name switch
        {
            "Dot" => Metric.Dot,
            "Cosine" => Metric.Cosine,
            "Euclidean" => Metric.Euclidean,
            "SqEuclidean" => Metric.SqEuclidean,
            "L1" => Metric.L1,
            "GeneralizedIoU" => Metric.GeneralizedIoU,
            _ => throw new KeyNotFoundException($"No metric named '{name}'."),
        };
    }
}
