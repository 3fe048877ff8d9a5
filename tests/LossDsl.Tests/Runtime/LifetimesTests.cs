using LossDsl.Runtime;
using LossDsl.Zoo;
using static TorchSharp.torch;

namespace LossDsl.Tests.Runtime;

/// <summary>The early release of a generated Compute's intermediates: a tensor is disposed only when no related value
/// still in use is that same object, and releasing never reaches the caller's tensors or the backward pass.</summary>
public class LifetimesTests
{
    [Fact]
    public void Releases_a_tensor_that_nothing_in_use_is()
    {
        using var scope = NewDisposeScope();
        var t = ones(3);
        var other = zeros(3);
        Lifetimes.Release(t, other, null);
        Assert.True(t.IsInvalid);
        Assert.False(other.IsInvalid);
    }

    [Fact]
    public void Keeps_a_tensor_that_a_value_in_use_is()
    {
        // An operation may return its argument as is (Ops.As): then the "intermediate" is a value still read later.
        using var scope = NewDisposeScope();
        var t = ones(3);
        Lifetimes.Release(Ops.As(t), t);
        Assert.False(t.IsInvalid);
        Lifetimes.Release(null);
        Lifetimes.Release("not a tensor", t);
    }

    [Fact]
    public void The_generated_unfused_path_leaves_the_inputs_and_the_backward_pass_intact()
    {
        // NT-Xent's unfused Compute releases five intermediates (see its snapshot); the caller's tensors survive and
        // the gradient equals the fused path's.
        using var scope = NewDisposeScope();
        var z = randn(64, 8, dtype: ScalarType.Float64, generator: manual_seed(3)).requires_grad_();
        var y = cat(new[] { arange(32), arange(32) });
        var unfused = new NtXent { UseFusedKernels = false };
        unfused.Compute(z, y).Total.backward();
        Assert.False(z.IsInvalid);
        Assert.False(y.IsInvalid);
        var gradient = z.grad!.clone();
        z.grad!.zero_();
        var fused = new NtXent();
        LossPaths.UseFused(fused, fused: true);
        fused.Compute(z, y).Total.backward();
        Assert.True(allclose(gradient, z.grad!, rtol: 1e-9, atol: 1e-12));
    }
}
