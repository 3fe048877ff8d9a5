using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace LossDsl.Runtime.Kernels;

/// <summary>What the float exponential needs of a vector type beyond <see cref="ISimd{TV, T}"/>.</summary>
internal interface IFloatExpParts<TV>
{
    /// <summary>Each lane rounded to the nearest integer (ties to even).</summary>
    static abstract TV RoundToEven(TV a);

    /// <summary>a · 2^n for integer-valued lanes n in [−150, 128] and a in [0.5, 2]: into the subnormal range and to
    /// +∞ past the largest float, as IEEE rounding gives.</summary>
    static abstract TV ScaleB(TV a, TV n);
}

/// <summary>a · 2^n from the exponent bits, for hardware without a scale instruction: 2^(n − m) · 2^m with m = n/2
/// rounded, each factor a normal float. Public so that tests reach it on machines that have the instruction.</summary>
public static class ExponentBits
{
    /// <summary>a · 2^n per lane, for integer-valued n in [−150, 128] and a in [0.5, 2] (one rounding).</summary>
    public static Vector512<float> ScaleB(Vector512<float> a, Vector512<float> n)
    {
        var m = Vector512.Round(n * Vector512.Create(0.5f));
        return a * Pow2(n - m) * Pow2(m);
    }

    /// <summary>a · 2^n per lane, for integer-valued n in [−150, 128] and a in [0.5, 2] (one rounding).</summary>
    public static Vector256<float> ScaleB(Vector256<float> a, Vector256<float> n)
    {
        var m = Vector256.Round(n * Vector256.Create(0.5f));
        return a * Pow2(n - m) * Pow2(m);
    }

    private static Vector512<float> Pow2(Vector512<float> n) => ((Vector512.ConvertToInt32Native(n) + Vector512.Create(127)) << 23).AsSingle();

    private static Vector256<float> Pow2(Vector256<float> n) => ((Vector256.ConvertToInt32Native(n) + Vector256.Create(127)) << 23).AsSingle();
}

/// <summary>e^x for float vectors in float arithmetic: the engine's log-sum-exp epilogue takes one per pair, and
/// .NET's <c>Vector512.Exp(float)</c> computes in double (widening, two polynomials, narrowing), three to four times
/// slower here (21–30 ns against 7 ns per 16 lanes). Cephes' <c>expf</c>: x = n·ln 2 + r with |r| ≤ ln 2 / 2 (ln 2
/// split in two for an exact reduction), e^r by a degree-6 polynomial, then scaled by 2^n (AVX-512's scale
/// instruction, or the exponent bits in two halves) so results reach the subnormal range and overflow to +∞ only
/// past ln(float.MaxValue).
/// About 1 ulp over the normal range (<c>FloatExpTests</c>); −∞ gives exactly 0, +∞ gives +∞, NaN stays NaN.</summary>
internal static class FloatExp
{
    private const double Log2E = 1.44269504088896341;
    private const double Ln2High = 0.693359375;
    private const double Ln2Low = -2.12194440e-4;
    // Below −104 e^x is under half the smallest subnormal float (0 after rounding); above 89 it overflows.
    private const double Lowest = -104.0;
    private const double Highest = 89.0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Exp<TV, S>(TV x) where S : ISimd<TV, float>, IFloatExpParts<TV>
    {
        // x as the second operand: where a lane is NaN the native max/min return it (x86 returns the second operand,
        // ARM propagates NaN), and NaN flows through to the result. −∞ becomes −104 (e^−104 rounds to 0), +∞ 89 (→ +∞).
        var clamped = S.MinFast(S.Const(Highest), S.MaxFast(S.Const(Lowest), x));
        var n = S.RoundToEven(S.Mul(clamped, S.Const(Log2E)));
        var r = S.Fma(n, S.Const(-Ln2High), clamped);
        r = S.Fma(n, S.Const(-Ln2Low), r);
        var p = S.Fma(S.Const(1.9875691500E-4), r, S.Const(1.3981999507E-3));
        p = S.Fma(p, r, S.Const(8.3334519073E-3));
        p = S.Fma(p, r, S.Const(4.1665795894E-2));
        p = S.Fma(p, r, S.Const(1.6666665459E-1));
        p = S.Fma(p, r, S.Const(5.0000001201E-1));
        p = S.Fma(p, S.Mul(r, r), S.Add(r, S.Const(1)));
        return S.ScaleB(p, n);
    }
}
