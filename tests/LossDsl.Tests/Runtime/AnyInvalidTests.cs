using System.Linq;
using LossDsl.Ir;
using LossDsl.Runtime;
using static TorchSharp.torch;

namespace LossDsl.Tests.Runtime;

/// <summary><see cref="InputGuards.AnyInvalid"/> scans contiguous CPU float tensors on the host and hands anything
/// else to libtorch: both agree on every special value, in the vector body and in the tail, for kinds that allow
/// −∞ (logits) and kinds that do not (embeddings).</summary>
public class AnyInvalidTests
{
    private static readonly double[] Specials = { double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1e30, -0.0 };

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    public void Host_scan_and_libtorch_agree(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        foreach (var kind in new[] { ValueKind.Embeddings, ValueKind.Logits })
            foreach (var special in Specials)
                foreach (var position in new[] { 0, 37, 16 * 7 + 3, 16 * 7 + 6 })   // body and tail of a [7, 16] + 7 layout
                {
                    var x = randn(new long[] { 7, 17 }, dtype);
                    x.view(-1)[position] = tensor(special, dtype);
                    var expected = InputGuards.InvalidEntries(x, kind).any().item<bool>();
                    Assert.Equal(expected, InputGuards.AnyInvalid(x, kind).item<bool>());
                    // Non-contiguous: the libtorch path.
                    Assert.Equal(expected, InputGuards.AnyInvalid(x.t(), kind).item<bool>());
                    var shouldBeInvalid = double.IsNaN(special) || double.IsPositiveInfinity(special)
                        || (double.IsNegativeInfinity(special) && !InputGuards.AllowsNegativeInfinity(kind));
                    Assert.Equal(shouldBeInvalid, expected);
                }
        Assert.False(InputGuards.AnyInvalid(zeros(new long[] { 0, 4 }, dtype), ValueKind.Embeddings).item<bool>());
    }
}
