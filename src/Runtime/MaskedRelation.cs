using System;
using static TorchSharp.torch;

namespace LossDsl.Runtime;

/// <summary>A relation seen through a graph: the values of all pairs and which of them count.
/// The reductions in <see cref="Ops"/> read only the selected pairs.</summary>
public sealed class MaskedRelation
{
    /// <summary>Pairs <paramref name="values"/> <c>[N, M]</c> with the boolean <paramref name="mask"/> of the same shape.</summary>
    public MaskedRelation(Tensor values, Tensor mask)
    {
        Values = values ?? throw new ArgumentNullException(nameof(values));
        Mask = mask ?? throw new ArgumentNullException(nameof(mask));
        if (mask.dtype != ScalarType.Bool)
            throw new ArgumentException($"A relation's mask must be Bool, got {mask.dtype}.", nameof(mask));
    }

    /// <summary>The value of every pair, <c>[N, M]</c>.</summary>
    public Tensor Values { get; }

    /// <summary>Which pairs are selected: Bool, the shape of <see cref="Values"/>.</summary>
    public Tensor Mask { get; }
}
