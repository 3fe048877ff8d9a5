using System;
using static LossDsl.Runtime.Scalars;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace LossDsl.Runtime;

/// <summary>One static method per IR operation: what generated code and the interpreter call (see
/// <c>LossDsl.Ir.RuntimeCalls</c> for the arguments each receives). Features and classes sit on the last axis, so
/// row operations work along it. Results keep the dtype and device of their inputs. Every number reaches libtorch
/// through <see cref="Scalars"/>.</summary>
public static partial class Ops
{
    /// <summary>Each row divided by its L2 norm, <c>x / ‖x‖</c> (<c>F.normalize(p=2, dim=-1)</c> for every row whose norm
    /// is at least its 1e-12 floor), computed in a scaled form that survives the whole range of the dtype: the row is
    /// first divided by its largest magnitude <c>m = max_k |x_k|</c> (not differentiated: the result does not depend on
    /// it), so <c>‖x/m‖ ∈ [1, √D]</c> neither overflows (‖x‖ ≥ 1e20 in float32) nor underflows (‖x‖ ≤ 1e-25) and no
    /// epsilon is needed in any dtype. A zero row gives 0 with a zero gradient; a row holding NaN or ±∞ gives NaN.</summary>
    public static Tensor Normalize(Tensor x)
    {
        if (x.shape[^1] == 0) return x.alias();
        var (scaled, zero) = ScaledRows(x);
        var norm = Fill(scaled.norm(-1, true, 2f), zero, 1);
        return Fill(Div(scaled, norm), zero, 0);
    }

    /// <summary>Softmax over the last axis.</summary>
    public static Tensor Softmax(Tensor x) => F.softmax(x, -1);

    /// <summary>Softmax of <c>x / temperature</c> over the last axis.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="temperature"/> is not a positive finite number.</exception>
    public static Tensor Softmax(Tensor x, double temperature) => F.softmax(Div(x, CheckTemperature(temperature)), -1);

    /// <summary>Log-softmax over the last axis.</summary>
    public static Tensor LogSoftmax(Tensor x) => F.log_softmax(x, -1);

    /// <summary>Log-softmax of <c>x / temperature</c> over the last axis.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="temperature"/> is not a positive finite number.</exception>
    public static Tensor LogSoftmax(Tensor x, double temperature) => F.log_softmax(Div(x, CheckTemperature(temperature)), -1);

    /// <summary>The L2 norm of each row (over the last axis), subgradient 0 at a zero row; computed as
    /// <c>m · ‖x / m‖</c> with <c>m = max_k |x_k|</c>, so it neither overflows nor underflows while the norm itself is
    /// representable.</summary>
    public static Tensor RowNorm(Tensor x)
    {
        if (x.shape[^1] == 0) return x.sum(-1);
        var (scaled, zero) = ScaledRows(x);
        var scale = Fill(x.detach().abs().amax(new long[] { -1 }, keepdim: true), zero, 1);
        return Mul(scaled.norm(-1, true, 2f), scale).squeeze(-1);
    }

    /// <summary>Each row divided by its largest magnitude (detached; 1 for a zero row), and which rows are zero,
    /// <c>[..., 1]</c>. A row with NaN or ±∞ is not zero: its scaled values are NaN, which propagates.</summary>
    private static (Tensor Scaled, Tensor Zero) ScaledRows(Tensor x)
    {
        var largest = x.detach().abs().amax(new long[] { -1 }, keepdim: true);
        var zero = Eq(largest, 0);
        return (Div(x, Fill(largest, zero, 1)), zero);
    }

    /// <summary><c>⟨a_i, b_i⟩</c> over the last axis.</summary>
    public static Tensor RowDot(Tensor a, Tensor b) => a.mul(b).sum(-1);

    private static double CheckTemperature(double temperature) =>
        temperature > 0 && !double.IsInfinity(temperature)
            ? temperature
            : throw new ArgumentOutOfRangeException(nameof(temperature), temperature,
                $"A temperature must be a positive finite number, got {temperature}.");
}
