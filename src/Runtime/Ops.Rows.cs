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
    /// <summary>Each row divided by its L2 norm: <c>x / max(‖x‖, 1e-12)</c> (<c>F.normalize(p=2, dim=-1)</c>).</summary>
    public static Tensor Normalize(Tensor x) => F.normalize(x, p: 2.0, dim: -1, eps: 1e-12);

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

    /// <summary>The L2 norm of each row (over the last axis), subgradient 0 at a zero row.</summary>
    public static Tensor RowNorm(Tensor x) => x.norm(-1, false, 2f);

    /// <summary><c>⟨a_i, b_i⟩</c> over the last axis.</summary>
    public static Tensor RowDot(Tensor a, Tensor b) => a.mul(b).sum(-1);

    private static double CheckTemperature(double temperature) =>
        temperature > 0 && !double.IsInfinity(temperature)
            ? temperature
            : throw new ArgumentOutOfRangeException(nameof(temperature), temperature,
                $"A temperature must be a positive finite number, got {temperature}.");
}
