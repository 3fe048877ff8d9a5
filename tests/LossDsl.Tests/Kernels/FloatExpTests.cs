using System;
using System.Runtime.Intrinsics;
using LossDsl.Runtime.Kernels;

namespace LossDsl.Tests.Kernels;

/// <summary>The engine's float exponential (Cephes' expf in float arithmetic) against <see cref="Math.Exp"/>: within
/// 2 ulp over the normal range, subnormal results within 2 of their ulp, and the edges exact (−∞ → 0, +∞ and
/// overflow → +∞, NaN → NaN, 0 → 1), for both vector widths.</summary>
public class FloatExpTests
{
    private static void Check(Func<float, float> exp, string what)
    {
        var random = new Random(3);
        var worst = 0.0;
        for (var k = 0; k < 200_000; k++)
        {
            var x = (float)(random.NextDouble() * (88.72 + 87.33) - 87.33);
            var expected = Math.Exp(x);
            worst = Math.Max(worst, Math.Abs(exp(x) - expected) / expected);
        }
        Assert.True(worst <= 2.4e-7, $"{what}: relative error {worst:E2} over [−87.33, 88.72]");
        for (var k = 0; k < 20_000; k++)
        {
            var x = (float)(random.NextDouble() * (103.9 - 87.4) - 103.9);
            var error = Math.Abs(exp(x) - Math.Exp(x));
            Assert.True(error <= 2 * float.Epsilon, $"{what}: e^{x} = {exp(x)} against {Math.Exp(x)} in the subnormal range");
        }
        Assert.Equal(0f, exp(float.NegativeInfinity));
        Assert.Equal(0f, exp(-104.5f));
        Assert.Equal(float.PositiveInfinity, exp(float.PositiveInfinity));
        Assert.Equal(float.PositiveInfinity, exp(89f));
        Assert.True(float.IsNaN(exp(float.NaN)), what + ": NaN");
        Assert.Equal(1f, exp(0f));
        Assert.Equal(1f, exp(-0f));
    }

    [Fact]
    public void Vector512_float_exp_is_accurate()
    {
        if (!Vector512.IsHardwareAccelerated) return; // the engine uses it only where accelerated
        Check(x => Simd512F.Exp(Vector512.Create(x)).GetElement(7), "Vector512");
    }

    [Fact]
    public void Vector256_float_exp_is_accurate() =>
        Check(x => Simd256F.Exp(Vector256.Create(x)).GetElement(3), "Vector256");

    [Fact]
    public void The_exponent_bits_fallback_scales_exactly()
    {
        var random = new Random(5);
        for (var n = -150; n <= 128; n++)
        {
            var a = (float)(0.5 + 1.5 * random.NextDouble());
            var expected = (float)(a * Math.Pow(2, n)); // exact in double, one rounding to float
            Assert.Equal(expected, ExponentBits.ScaleB(Vector256.Create(a), Vector256.Create((float)n)).GetElement(0));
            Assert.Equal(expected, ExponentBits.ScaleB(Vector512.Create(a), Vector512.Create((float)n)).GetElement(5));
        }
    }
}
