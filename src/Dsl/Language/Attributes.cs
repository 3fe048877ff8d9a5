using System;
using LossDsl.Ir;

namespace LossDsl
{
    /// <summary>Marks a partial class whose <see cref="TermAttribute"/> methods declare a loss. The
    /// generator adds <c>Compute(...)</c>, <c>Describe()</c> and <c>Trace()</c> to it.</summary>
    [AttributeUsage(AttributeTargets.Class, Inherited = false)]
    public sealed class LossAttribute : Attribute
    {
        /// <summary>Emit fused kernels for the pairwise reductions the planner finds (default true).
        /// Set false to emit plain TorchSharp only.</summary>
        public bool Fuse { get; set; } = true;

        /// <summary>Accept an empty batch (N = 0) instead of refusing it (default false: every loss refuses N = 0 with a
        /// <c>LossInputException</c>, a mean over no samples having no value). For losses over two sets whose batch is
        /// one of them (unlearning: the forget batch beside a retain set), where an empty batch is a legitimate step:
        /// the loss's doc must say what it gives then (the zoo's: 0 for the forget terms).</summary>
        public bool AllowEmptyBatch { get; set; }
    }

    /// <summary>A weighted term of the loss: a method returning <see cref="Real"/>, with an expression body or a
    /// block of local variables and one <c>return</c>. Its parameters are the loss inputs, unified by name across
    /// terms.</summary>
    [AttributeUsage(AttributeTargets.Method, Inherited = false)]
    public sealed class TermAttribute : Attribute
    {
        public double Weight { get; set; } = 1.0;
    }

    /// <summary>A hyper-parameter: a numeric property or field with a default, settable per instance.</summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, Inherited = false)]
    public sealed class HyperAttribute : Attribute { }

    /// <summary>A stop-gradient input: the term reads it without differentiating through it.</summary>
    [AttributeUsage(AttributeTargets.Parameter, Inherited = false)]
    public sealed class FrozenAttribute : Attribute { }

    /// <summary>The dimensions of an input, by name, instead of its role's default (<c>Embeddings</c> are
    /// <c>[N, D_name]</c>, <c>Tokens</c> <c>[N, T_name, D_name]</c>, ...): <c>[Dims("C", "D")] Embeddings
    /// proxies</c> is a table of its own length C; <c>[Dims("E", "3")] Indices triples</c> has exactly 3 columns.
    /// A name means one size across every input and term; two different names are never the same dimension, so
    /// an operation that needs them equal is a compile-time error. <c>N</c> is the batch of the default roles.</summary>
    [AttributeUsage(AttributeTargets.Parameter, Inherited = false)]
    public sealed class DimsAttribute : Attribute
    {
        public DimsAttribute(params string[] dims) => Dims = dims;

        /// <summary>One name (or literal size) per axis.</summary>
        public string[] Dims { get; }
    }

    /// <summary>Label entries equal to <see cref="Index"/> are ignored: they need not be valid classes, per-sample
    /// criteria give them 0, and <c>CrossEntropy</c>'s mean counts only the others (PyTorch's
    /// <c>ignore_index</c>, usually −100).</summary>
    [AttributeUsage(AttributeTargets.Parameter, Inherited = false)]
    public sealed class IgnoreAttribute : Attribute
    {
        public IgnoreAttribute(long index) => Index = index;

        public long Index { get; }
    }

    /// <summary>Links a DSL method to its IR operation; the generator lowers calls through it.</summary>
    [AttributeUsage(AttributeTargets.Method, Inherited = false)]
    public sealed class DslOpAttribute : Attribute
    {
        public DslOpAttribute(OpCode op) => Op = op;
        public OpCode Op { get; }
    }

    /// <summary>Marks a DSL method parameter that is part of the operation itself (a column index, a number of
    /// parts), not a value: it must be a compile-time constant and becomes the node's attribute.</summary>
    [AttributeUsage(AttributeTargets.Parameter, Inherited = false)]
    public sealed class ConstantAttribute : Attribute { }

    /// <summary>A temperature (or another scale that must be a positive finite number: an inverse temperature, a
    /// divisor). On a DSL method parameter: a constant (or a hyper-parameter's default) passed there that is ≤ 0, NaN
    /// or infinite is a compile error (LD0007), and a hyper-parameter passed there is checked like a marked one. On a
    /// <c>[Hyper]</c> property or field: its default is checked at compile time, and <c>Compute</c> refuses a value that
    /// is not a positive finite number, naming the loss, the hyper-parameter and the value.</summary>
    [AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Property | AttributeTargets.Field, Inherited = false)]
    public sealed class TemperatureAttribute : Attribute { }

    /// <summary>Similarity measures of <see cref="Dsl.Pairwise(IRows, Similarity)"/> (larger = closer).
    /// <c>GeneralizedIoU</c> compares boxes given as rows <c>(cx, cy, w, h)</c>.</summary>
    public enum Similarity { Dot, Cosine, GeneralizedIoU }

    /// <summary>Distance measures of <see cref="Dsl.Pairwise(IRows, Distance)"/> (smaller = closer).</summary>
    public enum Distance { Euclidean, SqEuclidean, L1 }
}
