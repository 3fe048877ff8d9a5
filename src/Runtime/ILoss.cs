using System.Collections.Generic;
using LossDsl.Ir;
using static TorchSharp.torch;

namespace LossDsl.Runtime;

/// <summary>A loss declared in the DSL: implemented by every generated <c>[Loss]</c> class and by
/// <see cref="InterpretedLoss"/>.</summary>
public interface ILoss
{
    /// <summary>The loss's name (its class name), used in error messages.</summary>
    string Name { get; }

    /// <summary>The tensor inputs of <see cref="Compute"/>, unified by name across terms.</summary>
    IReadOnlyList<IrInput> Inputs { get; }

    /// <summary>Validates the inputs (by name) and computes every term and the total.</summary>
    LossResult Compute(IReadOnlyDictionary<string, Tensor> inputs);

    /// <summary>The loss's IR, as its terms build it.</summary>
    LossIr Trace();

    /// <summary>Every term's weight and formula in mathematical notation.</summary>
    string Describe();

    /// <summary>The current value of every hyper-parameter, by name.</summary>
    IReadOnlyDictionary<string, double> HyperValues { get; }

    /// <summary>Whether <see cref="Compute"/> runs the fused kernels (where the planner made any)
    /// or plain TorchSharp.</summary>
    bool UseFusedKernels { get; set; }

    /// <summary>The fewest pairs (rows × columns) for which a fused region runs its kernel on the CPU; below it
    /// the region runs unfused, which is faster for small batches. Null (the default): each region's measured default,
    /// <see cref="Kernels.FusionPolicy.DefaultMinimumPairs"/>, for row max/min regions
    /// <see cref="Kernels.FusionPolicy.DefaultMinimumArgPairs"/>, for regions with a kernel of their own (RKD angle and
    /// distance, all-triplets margin) <see cref="Kernels.FusionPolicy.DefaultMinimumKernelPairs"/> (0); 0 fuses every batch.</summary>
    long? MinimumFusedPairs { get; set; }

    /// <summary>One line per fused region: the node it computes, its formula and the kernel that runs it
    /// (empty when nothing fuses or the loss is declared <c>[Loss(Fuse = false)]</c>).</summary>
    IReadOnlyList<string> FusedRegions { get; }

    /// <summary>What <see cref="Compute"/> does with a NaN (or an infinity its kind cannot hold) in an input: the terms
    /// reading it are NaN (<see cref="Runtime.NonFiniteInputs.Propagate"/>, the default), the call is refused
    /// (<see cref="Runtime.NonFiniteInputs.Throw"/>), or nothing is checked.</summary>
    NonFiniteInputs NonFiniteInputs { get; set; }
}
