using static TorchSharp.torch;

namespace LossDsl.Runtime;

/// <summary>Early release of a generated <c>Compute</c>'s intermediates: the generator emits a call after the last
/// statement that reads a value, so that the unfused path's N×N tensors do not all stay resident until the end of
/// the call's dispose scope. Releasing a handle never breaks the backward pass: libtorch keeps what autograd saved.</summary>
public static class Lifetimes
{
    /// <summary>Disposes <paramref name="value"/> when it is a tensor and none of <paramref name="inUse"/> is that same
    /// object (an operation may return its argument as is; then the value lives on as the other). Null, non-tensor
    /// values and tensors still in use are left alone.</summary>
    /// <param name="value">The value read for the last time.</param>
    /// <param name="inUse">The values related to it (its ancestors and descendants) that may still be read.</param>
    public static void Release(object? value, params object?[] inUse)
    {
        if (value is not Tensor tensor) return;
        foreach (var other in inUse)
            if (ReferenceEquals(other, tensor)) return;
        tensor.Dispose();
    }
}
