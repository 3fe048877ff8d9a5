using System;
using static LossDsl.Runtime.Scalars;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace LossDsl.Runtime;

/// <summary>One static method per IR operation: what generated code and the interpreter call.
/// Two-dimensional values hold one sample per row, so row operations work along dim 1.
/// Results keep the dtype and device of their inputs.</summary>
public static partial class Ops
{
    /// <summary>Each row divided by its L2 norm: <c>x / max(‖x‖, 1e-12)</c> (<c>F.normalize(p=2, dim=1)</c>).</summary>
    public static Tensor Normalize(Tensor x) => F.normalize(x, p: 2.0, dim: 1, eps: 1e-12);

    /// <summary>Row-wise softmax.</summary>
    public static Tensor Softmax(Tensor x) => F.softmax(x, 1);

    /// <summary>Row-wise softmax of <c>x / temperature</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="temperature"/> is not a positive finite number.</exception>
    public static Tensor Softmax(Tensor x, double temperature) => F.softmax(Div(x, CheckTemperature(temperature)), 1);

    /// <summary>Row-wise log-softmax.</summary>
    public static Tensor LogSoftmax(Tensor x) => F.log_softmax(x, 1);

    /// <summary>Row-wise log-softmax of <c>x / temperature</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="temperature"/> is not a positive finite number.</exception>
    public static Tensor LogSoftmax(Tensor x, double temperature) => F.log_softmax(Div(x, CheckTemperature(temperature)), 1);

    /// <summary>The L2 norm of each row, <c>[N]</c> (gradient 0 at a zero row).</summary>
    public static Tensor RowNorm(Tensor x) => x.norm(1, false, 2f);

    private static double CheckTemperature(double temperature) =>
        temperature > 0 && !double.IsInfinity(temperature)
            ? temperature
            : throw new ArgumentOutOfRangeException(nameof(temperature), temperature,
                $"A temperature must be a positive finite number, got {temperature}.");
}
