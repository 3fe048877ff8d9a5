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
    }

    /// <summary>A weighted term of the loss: an expression-bodied method returning <see cref="Real"/>.
    /// Its parameters are the loss inputs, unified by name across terms.</summary>
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

    /// <summary>Links a DSL method to its IR operation; the generator lowers calls through it.</summary>
    [AttributeUsage(AttributeTargets.Method, Inherited = false)]
    public sealed class DslOpAttribute : Attribute
    {
        public DslOpAttribute(OpCode op) => Op = op;
        public OpCode Op { get; }
    }

    /// <summary>Marks a DSL method parameter that is a temperature: a constant ≤ 0 is a compile error.</summary>
    [AttributeUsage(AttributeTargets.Parameter, Inherited = false)]
    public sealed class TemperatureAttribute : Attribute { }

    /// <summary>Similarity measures of <see cref="Dsl.Pairwise(Embeddings, Similarity)"/> (larger = closer).</summary>
    public enum Similarity { Dot, Cosine }

    /// <summary>Distance measures of <see cref="Dsl.Pairwise(Embeddings, Distance)"/> (smaller = closer).</summary>
    public enum Distance { Euclidean, SqEuclidean }
}
