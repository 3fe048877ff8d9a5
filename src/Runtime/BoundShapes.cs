using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace LossDsl.Runtime;

/// <summary>The value every dimension symbol took in one call (<c>N</c>, <c>D_z</c>, ...) and the
/// device of the inputs, as <see cref="InputValidator"/> found them.</summary>
public sealed class BoundShapes
{
    private readonly IReadOnlyDictionary<string, long> _dims;

    /// <summary>Creates the bindings.</summary>
    public BoundShapes(IReadOnlyDictionary<string, long> dims, Device device, ScalarType floatType = ScalarType.Float32)
    {
        _dims = dims;
        Device = device;
        FloatType = floatType;
    }

    /// <summary>The floating-point type of the inputs (of the first floating-point one; float32 when there is
    /// none): the type of values made from conditions and counts, so that they do not change the loss's
    /// precision (float32 weights would round a float64 loss; float64 ones would widen a float32 loss).</summary>
    public ScalarType FloatType { get; }

    /// <summary>The size bound to <paramref name="symbol"/>.</summary>
    /// <exception cref="KeyNotFoundException">No input binds it; the message lists the bound symbols.</exception>
    public long this[string symbol] =>
        _dims.TryGetValue(symbol, out var value)
            ? value
            : throw new KeyNotFoundException(
                $"No input binds dimension '{symbol}'; bound: {string.Join(", ", _dims.Select(d => d.Key + " = " + d.Value))}.");

    /// <summary>Every bound symbol and its size.</summary>
    public IReadOnlyDictionary<string, long> Dims => _dims;

    /// <summary>The device all inputs are on (the CPU when there is none).</summary>
    public Device Device { get; }
}
