using System;
using System.Collections.Generic;
using System.Numerics;
using SimdVector = System.Numerics.Vector;
using LossDsl.Ir;
using static LossDsl.Runtime.Scalars;
using static TorchSharp.torch;

namespace LossDsl.Runtime;

/// <summary>What <c>Compute</c> (generated and interpreted) does to inputs after validation: widening half precision,
/// and making non-finite inputs reach the value (<see cref="NonFiniteInputs.Propagate"/>).</summary>
public static class InputGuards
{
    /// <summary>The dtype a floating-point input is computed in: float16 and bfloat16 in float32 (as
    /// <c>torch.autocast</c> runs losses, softmax and norms: their sums, exponentials and epsilons need float32's range
    /// and precision), float32 and float64 as they are.</summary>
    public static ScalarType ComputeType(ScalarType dtype) =>
        dtype is ScalarType.Float16 or ScalarType.BFloat16 ? ScalarType.Float32 : dtype;

    /// <summary><paramref name="input"/> in its compute dtype (<see cref="ComputeType"/>): float16 and bfloat16 become
    /// float32 (the gradient flows back in the input's own dtype); anything else is returned as is.</summary>
    public static Tensor Widen(Tensor input) =>
        input.is_floating_point() && ComputeType(input.dtype) != input.dtype ? input.to(ComputeType(input.dtype)) : input;

    /// <summary>The policy of a loss with a host operation (the Hungarian matcher, which refuses NaN costs): a NaN
    /// cannot propagate through it, so <see cref="NonFiniteInputs.Propagate"/> becomes <see cref="NonFiniteInputs.Throw"/>
    /// (the error names the input rather than a cost entry).</summary>
    public static NonFiniteInputs ForHostOperations(NonFiniteInputs policy) =>
        policy == NonFiniteInputs.Propagate ? NonFiniteInputs.Throw : policy;

    /// <summary>Whether <paramref name="kind"/> may hold −∞ (a masked class's logit, a log-probability of 0).</summary>
    public static bool AllowsNegativeInfinity(ValueKind kind) =>
        kind is ValueKind.Logits or ValueKind.LogProbs or ValueKind.Vector or ValueKind.Real;

    /// <summary>Where <paramref name="input"/> holds a value its kind cannot hold: NaN, +∞, and −∞ unless the kind
    /// allows it (<see cref="AllowsNegativeInfinity"/>). Bool, the shape of the input.</summary>
    public static Tensor InvalidEntries(Tensor input, ValueKind kind)
    {
        var values = input.detach();
        var bad = values.isnan().logical_or(values.isposinf());
        return AllowsNegativeInfinity(kind) ? bad : bad.logical_or(values.isneginf());
    }

    /// <summary>Whether <paramref name="input"/> holds any invalid entry (<see cref="InvalidEntries"/>), a 0-d Bool tensor
    /// on the input's device: a contiguous CPU float tensor is scanned on the host, any other with libtorch (no host
    /// synchronisation).</summary>
    public static Tensor AnyInvalid(Tensor input, ValueKind kind)
    {
        var allowNegativeInfinity = AllowsNegativeInfinity(kind);
        // A CPU tensor is scanned here: this runs on every input of every Compute, and libtorch's six element-wise
        // calls and a reduction took 0.1 ms at [512, 128] (most of a small batch's margin against an eager port).
        if (input.device_type == TorchSharp.DeviceType.CPU && input.is_contiguous() && input.numel() <= int.MaxValue)
        {
            using var values = input.detach();
            if (values.dtype == ScalarType.Float32) return tensor(AnyInvalidOnHost(Kernels.TensorIo.Span<float>(values), allowNegativeInfinity));
            if (values.dtype == ScalarType.Float64) return tensor(AnyInvalidOnHost(Kernels.TensorIo.Span<double>(values), allowNegativeInfinity));
        }
        return InvalidEntries(input, kind).any();
    }

    /// <summary>NaN or +∞ anywhere, and −∞ unless allowed (x − x is 0 exactly for the finite values).</summary>
    private static bool AnyInvalidOnHost<T>(ReadOnlySpan<T> values, bool allowNegativeInfinity)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var k = 0;
        if (SimdVector.IsHardwareAccelerated)
        {
            var positiveInfinity = new Vector<T>(T.PositiveInfinity);
            for (; k + Vector<T>.Count <= values.Length; k += Vector<T>.Count)
            {
                var v = new Vector<T>(values.Slice(k));
                var bad = allowNegativeInfinity
                    ? ~SimdVector.Equals(v, v) | SimdVector.Equals(v, positiveInfinity)
                    : ~SimdVector.Equals(v - v, Vector<T>.Zero);
                if (!SimdVector.EqualsAll(bad.As<T, byte>(), Vector<byte>.Zero)) return true;
            }
        }
        for (; k < values.Length; k++)
        {
            var x = values[k];
            if (T.IsNaN(x) || T.IsPositiveInfinity(x) || (!allowNegativeInfinity && T.IsNegativeInfinity(x))) return true;
        }
        return false;
    }

    /// <summary>A term's value as it leaves <c>Compute</c>: a new handle on <paramref name="raw"/>, NaN when any of
    /// <paramref name="invalid"/> (the <see cref="AnyInvalid"/> flags of the inputs the term reads) holds. The gradient
    /// of <paramref name="raw"/> is unchanged.</summary>
    public static Tensor Poison(Tensor raw, params Tensor?[] invalid)
    {
        Tensor? any = null;
        foreach (var flag in invalid)
            if (flag is not null) any = any is null ? flag : any.logical_or(flag);
        if (any is null) return raw.alias();
        return Add(raw, Fill(zeros_like(raw), any, double.NaN));
    }
}
