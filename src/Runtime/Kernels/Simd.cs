using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LossDsl.Runtime.Kernels;

/// <summary>A SIMD vector type the CPU engine runs on: <see cref="IPairMath{T}"/> (what formulas and masks
/// call) plus the loads, stores, fused multiply-adds and horizontal reductions of the engine's own loops.
/// Implemented for <c>Vector512</c> and <c>Vector256</c> of <c>float</c> and <c>double</c>; the engine picks
/// the widest the hardware accelerates.</summary>
/// <typeparam name="TV">The vector type.</typeparam>
/// <typeparam name="T">Its element type.</typeparam>
public interface ISimd<TV, T> : IPairMath<TV> where T : unmanaged
{
    /// <summary>Elements per vector.</summary>
    static abstract int Lanes { get; }
    /// <summary>All zero.</summary>
    static abstract TV Zero { get; }
    /// <summary>Every lane <paramref name="value"/>.</summary>
    static abstract TV Broadcast(T value);
    /// <summary>Lanes read from <paramref name="source"/> onwards.</summary>
    static abstract TV Load(ref T source);
    /// <summary>Lanes written to <paramref name="destination"/> onwards.</summary>
    static abstract void Store(TV value, ref T destination);
    /// <summary>a · b + c, one rounding.</summary>
    static abstract TV Fma(TV a, TV b, TV c);
    /// <summary>The hardware max (no NaN ordering guarantee: callers track NaN separately).</summary>
    static abstract TV MaxFast(TV a, TV b);
    /// <summary>The hardware min (as <see cref="MaxFast"/>).</summary>
    static abstract TV MinFast(TV a, TV b);
    /// <summary>Mask of NaN lanes.</summary>
    static abstract TV IsNaN(TV a);
    /// <summary>Whether any lane of a mask is set.</summary>
    static abstract bool Any(TV mask);
    /// <summary>The sum of the lanes, in double.</summary>
    static abstract double SumToDouble(TV a);
    /// <summary>The largest lane (NaN lanes ignored unless all are NaN).</summary>
    static abstract T MaxLane(TV a);
    /// <summary>Lane k of a.</summary>
    static abstract T Lane(TV a, int k);
    /// <summary>0, 1, ..., Lanes − 1.</summary>
    static abstract TV Iota { get; }
    /// <summary>A host double as the element type.</summary>
    static abstract T FromDouble(double value);
    /// <summary>An element as a double.</summary>
    static abstract double ToDouble(T value);
}

/// <summary><see cref="ISimd{TV, T}"/> over <c>Vector512&lt;float&gt;</c>.</summary>
public readonly struct Simd512F : ISimd<Vector512<float>, float>, IFloatExpParts<Vector512<float>>
{
    public static int Lanes => Vector512<float>.Count;
    public static Vector512<float> Zero => Vector512<float>.Zero;
    public static Vector512<float> True => Vector512<float>.AllBitsSet;
    public static Vector512<float> Iota => Vector512<float>.Indices;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Broadcast(float value) => Vector512.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Load(ref float source) => Vector512.LoadUnsafe(ref source);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<float> value, ref float destination) => value.StoreUnsafe(ref destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Fma(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> MaxFast(Vector512<float> a, Vector512<float> b) => Vector512.MaxNative(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> MinFast(Vector512<float> a, Vector512<float> b) => Vector512.MinNative(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> IsNaN(Vector512<float> a) => Vector512.IsNaN(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool Any(Vector512<float> mask) => mask != Vector512<float>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double SumToDouble(Vector512<float> a) => Vector512.Sum(Vector512.WidenLower(a)) + Vector512.Sum(Vector512.WidenUpper(a));
    public static float MaxLane(Vector512<float> a)
    {
        var best = float.NegativeInfinity;
        var nan = true;
        for (var k = 0; k < Vector512<float>.Count; k++)
        {
            var v = a.GetElement(k);
            if (!float.IsNaN(v)) { nan = false; if (v > best) best = v; }
        }
        return nan ? float.NaN : best;
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Lane(Vector512<float> a, int k) => a.GetElement(k);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float FromDouble(double value) => (float)value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double ToDouble(float value) => value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Const(double value) => Vector512.Create((float)value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Sub(Vector512<float> a, Vector512<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Mul(Vector512<float> a, Vector512<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Div(Vector512<float> a, Vector512<float> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Neg(Vector512<float> a) => -a;
    // Vector Min/Max follow Math.Min/Max (NaN propagates), unlike MinNative/MaxNative.
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Min(Vector512<float> a, Vector512<float> b) => Vector512.Min(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Max(Vector512<float> a, Vector512<float> b) => Vector512.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Exp(Vector512<float> a) => FloatExp.Exp<Vector512<float>, Simd512F>(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> RoundToEven(Vector512<float> a) => Vector512.Round(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> ScaleB(Vector512<float> a, Vector512<float> n) => Avx512F.IsSupported ? Avx512F.Scale(a, n) : ExponentBits.ScaleB(a, n);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Log(Vector512<float> a) => Vector512.Log(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Sqrt(Vector512<float> a) => Vector512.Sqrt(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Softplus(Vector512<float> a) => -LogSigmoid(-a);
    // 1 / (1 + e^{−a}): e^{−a} overflows to +∞ for very negative a, giving exactly 0, never NaN.
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Sigmoid(Vector512<float> a) => Vector512<float>.One / (Vector512<float>.One + Exp(-a));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> LogSigmoid(Vector512<float> a) => Vector512.Min(a, Vector512<float>.Zero) - Vector512.Log(Vector512<float>.One + Exp(-Vector512.Abs(a)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Relu(Vector512<float> a) => Vector512.Max(a, Vector512<float>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Square(Vector512<float> a) => a * a;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Abs(Vector512<float> a) => Vector512.Abs(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Step(Vector512<float> a) => Vector512<float>.One & Vector512.GreaterThan(a, Vector512<float>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Sign(Vector512<float> a) => (Vector512<float>.One & Vector512.GreaterThan(a, Vector512<float>.Zero)) - (Vector512<float>.One & Vector512.LessThan(a, Vector512<float>.Zero));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Eq(Vector512<float> a, Vector512<float> b) => Vector512.Equals(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Ne(Vector512<float> a, Vector512<float> b) => ~Vector512.Equals(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Gt(Vector512<float> a, Vector512<float> b) => Vector512.GreaterThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Lt(Vector512<float> a, Vector512<float> b) => Vector512.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> And(Vector512<float> a, Vector512<float> b) => a & b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Select(Vector512<float> mask, Vector512<float> a, Vector512<float> b) => Vector512.ConditionalSelect(mask, a, b);
}

/// <summary><see cref="ISimd{TV, T}"/> over <c>Vector256&lt;float&gt;</c>.</summary>
public readonly struct Simd256F : ISimd<Vector256<float>, float>, IFloatExpParts<Vector256<float>>
{
    public static int Lanes => Vector256<float>.Count;
    public static Vector256<float> Zero => Vector256<float>.Zero;
    public static Vector256<float> True => Vector256<float>.AllBitsSet;
    public static Vector256<float> Iota => Vector256<float>.Indices;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Broadcast(float value) => Vector256.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Load(ref float source) => Vector256.LoadUnsafe(ref source);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<float> value, ref float destination) => value.StoreUnsafe(ref destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Fma(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> MaxFast(Vector256<float> a, Vector256<float> b) => Vector256.MaxNative(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> MinFast(Vector256<float> a, Vector256<float> b) => Vector256.MinNative(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> IsNaN(Vector256<float> a) => Vector256.IsNaN(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool Any(Vector256<float> mask) => mask != Vector256<float>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double SumToDouble(Vector256<float> a) => Vector256.Sum(Vector256.WidenLower(a)) + Vector256.Sum(Vector256.WidenUpper(a));
    public static float MaxLane(Vector256<float> a)
    {
        var best = float.NegativeInfinity;
        var nan = true;
        for (var k = 0; k < Vector256<float>.Count; k++)
        {
            var v = a.GetElement(k);
            if (!float.IsNaN(v)) { nan = false; if (v > best) best = v; }
        }
        return nan ? float.NaN : best;
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Lane(Vector256<float> a, int k) => a.GetElement(k);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float FromDouble(double value) => (float)value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double ToDouble(float value) => value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Const(double value) => Vector256.Create((float)value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Sub(Vector256<float> a, Vector256<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Mul(Vector256<float> a, Vector256<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Div(Vector256<float> a, Vector256<float> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Neg(Vector256<float> a) => -a;
    // Vector Min/Max follow Math.Min/Max (NaN propagates), unlike MinNative/MaxNative.
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Min(Vector256<float> a, Vector256<float> b) => Vector256.Min(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Max(Vector256<float> a, Vector256<float> b) => Vector256.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Exp(Vector256<float> a) => FloatExp.Exp<Vector256<float>, Simd256F>(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> RoundToEven(Vector256<float> a) => Vector256.Round(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> ScaleB(Vector256<float> a, Vector256<float> n) => Avx512F.VL.IsSupported ? Avx512F.VL.Scale(a, n) : ExponentBits.ScaleB(a, n);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Log(Vector256<float> a) => Vector256.Log(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Sqrt(Vector256<float> a) => Vector256.Sqrt(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Softplus(Vector256<float> a) => -LogSigmoid(-a);
    // 1 / (1 + e^{−a}): e^{−a} overflows to +∞ for very negative a, giving exactly 0, never NaN.
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Sigmoid(Vector256<float> a) => Vector256<float>.One / (Vector256<float>.One + Exp(-a));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> LogSigmoid(Vector256<float> a) => Vector256.Min(a, Vector256<float>.Zero) - Vector256.Log(Vector256<float>.One + Exp(-Vector256.Abs(a)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Relu(Vector256<float> a) => Vector256.Max(a, Vector256<float>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Square(Vector256<float> a) => a * a;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Abs(Vector256<float> a) => Vector256.Abs(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Step(Vector256<float> a) => Vector256<float>.One & Vector256.GreaterThan(a, Vector256<float>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sign(Vector256<float> a) => (Vector256<float>.One & Vector256.GreaterThan(a, Vector256<float>.Zero)) - (Vector256<float>.One & Vector256.LessThan(a, Vector256<float>.Zero));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Eq(Vector256<float> a, Vector256<float> b) => Vector256.Equals(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Ne(Vector256<float> a, Vector256<float> b) => ~Vector256.Equals(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Gt(Vector256<float> a, Vector256<float> b) => Vector256.GreaterThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Lt(Vector256<float> a, Vector256<float> b) => Vector256.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> And(Vector256<float> a, Vector256<float> b) => a & b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Select(Vector256<float> mask, Vector256<float> a, Vector256<float> b) => Vector256.ConditionalSelect(mask, a, b);
}

/// <summary><see cref="ISimd{TV, T}"/> over <c>Vector512&lt;double&gt;</c>.</summary>
public readonly struct Simd512D : ISimd<Vector512<double>, double>
{
    public static int Lanes => Vector512<double>.Count;
    public static Vector512<double> Zero => Vector512<double>.Zero;
    public static Vector512<double> True => Vector512<double>.AllBitsSet;
    public static Vector512<double> Iota => Vector512<double>.Indices;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Broadcast(double value) => Vector512.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Load(ref double source) => Vector512.LoadUnsafe(ref source);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<double> value, ref double destination) => value.StoreUnsafe(ref destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Fma(Vector512<double> a, Vector512<double> b, Vector512<double> c) => Vector512.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> MaxFast(Vector512<double> a, Vector512<double> b) => Vector512.MaxNative(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> MinFast(Vector512<double> a, Vector512<double> b) => Vector512.MinNative(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> IsNaN(Vector512<double> a) => Vector512.IsNaN(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool Any(Vector512<double> mask) => mask != Vector512<double>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double SumToDouble(Vector512<double> a) => Vector512.Sum(a);
    public static double MaxLane(Vector512<double> a)
    {
        var best = double.NegativeInfinity;
        var nan = true;
        for (var k = 0; k < Vector512<double>.Count; k++)
        {
            var v = a.GetElement(k);
            if (!double.IsNaN(v)) { nan = false; if (v > best) best = v; }
        }
        return nan ? double.NaN : best;
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Lane(Vector512<double> a, int k) => a.GetElement(k);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double FromDouble(double value) => (double)value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double ToDouble(double value) => value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Const(double value) => Vector512.Create((double)value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Add(Vector512<double> a, Vector512<double> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Sub(Vector512<double> a, Vector512<double> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Mul(Vector512<double> a, Vector512<double> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Div(Vector512<double> a, Vector512<double> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Neg(Vector512<double> a) => -a;
    // Vector Min/Max follow Math.Min/Max (NaN propagates), unlike MinNative/MaxNative.
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Min(Vector512<double> a, Vector512<double> b) => Vector512.Min(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Max(Vector512<double> a, Vector512<double> b) => Vector512.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Exp(Vector512<double> a) => Vector512.Exp(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Log(Vector512<double> a) => Vector512.Log(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Sqrt(Vector512<double> a) => Vector512.Sqrt(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Softplus(Vector512<double> a) => -LogSigmoid(-a);
    // 1 / (1 + e^{−a}): e^{−a} overflows to +∞ for very negative a, giving exactly 0, never NaN.
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Sigmoid(Vector512<double> a) => Vector512<double>.One / (Vector512<double>.One + Vector512.Exp(-a));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> LogSigmoid(Vector512<double> a) => Vector512.Min(a, Vector512<double>.Zero) - Vector512.Log(Vector512<double>.One + Vector512.Exp(-Vector512.Abs(a)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Relu(Vector512<double> a) => Vector512.Max(a, Vector512<double>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Square(Vector512<double> a) => a * a;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Abs(Vector512<double> a) => Vector512.Abs(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Step(Vector512<double> a) => Vector512<double>.One & Vector512.GreaterThan(a, Vector512<double>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Sign(Vector512<double> a) => (Vector512<double>.One & Vector512.GreaterThan(a, Vector512<double>.Zero)) - (Vector512<double>.One & Vector512.LessThan(a, Vector512<double>.Zero));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Eq(Vector512<double> a, Vector512<double> b) => Vector512.Equals(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Ne(Vector512<double> a, Vector512<double> b) => ~Vector512.Equals(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Gt(Vector512<double> a, Vector512<double> b) => Vector512.GreaterThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Lt(Vector512<double> a, Vector512<double> b) => Vector512.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> And(Vector512<double> a, Vector512<double> b) => a & b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Select(Vector512<double> mask, Vector512<double> a, Vector512<double> b) => Vector512.ConditionalSelect(mask, a, b);
}

/// <summary><see cref="ISimd{TV, T}"/> over <c>Vector256&lt;double&gt;</c>.</summary>
public readonly struct Simd256D : ISimd<Vector256<double>, double>
{
    public static int Lanes => Vector256<double>.Count;
    public static Vector256<double> Zero => Vector256<double>.Zero;
    public static Vector256<double> True => Vector256<double>.AllBitsSet;
    public static Vector256<double> Iota => Vector256<double>.Indices;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Broadcast(double value) => Vector256.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Load(ref double source) => Vector256.LoadUnsafe(ref source);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<double> value, ref double destination) => value.StoreUnsafe(ref destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Fma(Vector256<double> a, Vector256<double> b, Vector256<double> c) => Vector256.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> MaxFast(Vector256<double> a, Vector256<double> b) => Vector256.MaxNative(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> MinFast(Vector256<double> a, Vector256<double> b) => Vector256.MinNative(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> IsNaN(Vector256<double> a) => Vector256.IsNaN(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool Any(Vector256<double> mask) => mask != Vector256<double>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double SumToDouble(Vector256<double> a) => Vector256.Sum(a);
    public static double MaxLane(Vector256<double> a)
    {
        var best = double.NegativeInfinity;
        var nan = true;
        for (var k = 0; k < Vector256<double>.Count; k++)
        {
            var v = a.GetElement(k);
            if (!double.IsNaN(v)) { nan = false; if (v > best) best = v; }
        }
        return nan ? double.NaN : best;
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Lane(Vector256<double> a, int k) => a.GetElement(k);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double FromDouble(double value) => (double)value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double ToDouble(double value) => value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Const(double value) => Vector256.Create((double)value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Add(Vector256<double> a, Vector256<double> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Sub(Vector256<double> a, Vector256<double> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Mul(Vector256<double> a, Vector256<double> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Div(Vector256<double> a, Vector256<double> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Neg(Vector256<double> a) => -a;
    // Vector Min/Max follow Math.Min/Max (NaN propagates), unlike MinNative/MaxNative.
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Min(Vector256<double> a, Vector256<double> b) => Vector256.Min(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Max(Vector256<double> a, Vector256<double> b) => Vector256.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Exp(Vector256<double> a) => Vector256.Exp(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Log(Vector256<double> a) => Vector256.Log(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Sqrt(Vector256<double> a) => Vector256.Sqrt(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Softplus(Vector256<double> a) => -LogSigmoid(-a);
    // 1 / (1 + e^{−a}): e^{−a} overflows to +∞ for very negative a, giving exactly 0, never NaN.
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Sigmoid(Vector256<double> a) => Vector256<double>.One / (Vector256<double>.One + Vector256.Exp(-a));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> LogSigmoid(Vector256<double> a) => Vector256.Min(a, Vector256<double>.Zero) - Vector256.Log(Vector256<double>.One + Vector256.Exp(-Vector256.Abs(a)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Relu(Vector256<double> a) => Vector256.Max(a, Vector256<double>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Square(Vector256<double> a) => a * a;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Abs(Vector256<double> a) => Vector256.Abs(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Step(Vector256<double> a) => Vector256<double>.One & Vector256.GreaterThan(a, Vector256<double>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Sign(Vector256<double> a) => (Vector256<double>.One & Vector256.GreaterThan(a, Vector256<double>.Zero)) - (Vector256<double>.One & Vector256.LessThan(a, Vector256<double>.Zero));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Eq(Vector256<double> a, Vector256<double> b) => Vector256.Equals(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Ne(Vector256<double> a, Vector256<double> b) => ~Vector256.Equals(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Gt(Vector256<double> a, Vector256<double> b) => Vector256.GreaterThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Lt(Vector256<double> a, Vector256<double> b) => Vector256.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> And(Vector256<double> a, Vector256<double> b) => a & b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Select(Vector256<double> mask, Vector256<double> a, Vector256<double> b) => Vector256.ConditionalSelect(mask, a, b);
}
