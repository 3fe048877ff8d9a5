using System.Collections.Generic;
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
    /// on the input's device (no host synchronisation).</summary>
    public static Tensor AnyInvalid(Tensor input, ValueKind kind) => InvalidEntries(input, kind).any();

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
