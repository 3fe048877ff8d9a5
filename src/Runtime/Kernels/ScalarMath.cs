using System;
using System.Runtime.CompilerServices;

namespace LossDsl.Runtime.Kernels;

/// <summary><see cref="IPairMath{T}"/> over one <c>double</c> (masks are 1 and 0): the engine's scalar paths
/// and the tests' per-pair references.</summary>
public readonly struct ScalarMath64 : IPairMath<double>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Const(double value) => value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Add(double a, double b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Sub(double a, double b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Mul(double a, double b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Div(double a, double b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Neg(double a) => -a;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Min(double a, double b) => Math.Min(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Max(double a, double b) => Math.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Exp(double a) => Math.Exp(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Log(double a) => Math.Log(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Sqrt(double a) => Math.Sqrt(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Softplus(double a) => -LogSigmoid(-a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sigmoid(double a)
    {
        if (a >= 0) return 1.0 / (1.0 + Math.Exp(-a));
        var e = Math.Exp(a);
        return e / (1.0 + e);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double LogSigmoid(double a) => Math.Min(a, 0.0) - Math.Log(1.0 + Math.Exp(-Math.Abs(a)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Relu(double a) => a > 0 ? a : (double.IsNaN(a) ? a : 0.0);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Square(double a) => a * a;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Abs(double a) => Math.Abs(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Step(double a) => a > 0 ? 1.0 : (double.IsNaN(a) ? a : 0.0);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Sign(double a) => a > 0 ? 1.0 : a < 0 ? -1.0 : (double.IsNaN(a) ? a : 0.0);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Eq(double a, double b) => a == b ? 1.0 : 0.0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Ne(double a, double b) => a != b ? 1.0 : 0.0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Gt(double a, double b) => a > b ? 1.0 : 0.0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Lt(double a, double b) => a < b ? 1.0 : 0.0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double And(double a, double b) => a * b;
    public static double True => 1.0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Select(double mask, double a, double b) => mask != 0.0 ? a : b;
}

/// <summary><see cref="IPairMath{T}"/> over one <c>float</c> (masks are 1 and 0), computed in float.</summary>
public readonly struct ScalarMath32 : IPairMath<float>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Const(double value) => (float)value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Add(float a, float b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sub(float a, float b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Mul(float a, float b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Div(float a, float b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Neg(float a) => -a;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Min(float a, float b) => MathF.Min(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Max(float a, float b) => MathF.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Exp(float a) => MathF.Exp(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Log(float a) => MathF.Log(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sqrt(float a) => MathF.Sqrt(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Softplus(float a) => -LogSigmoid(-a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sigmoid(float a)
    {
        if (a >= 0) return 1f / (1f + MathF.Exp(-a));
        var e = MathF.Exp(a);
        return e / (1f + e);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float LogSigmoid(float a) => MathF.Min(a, 0f) - MathF.Log(1f + MathF.Exp(-MathF.Abs(a)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Relu(float a) => a > 0 ? a : (float.IsNaN(a) ? a : 0f);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Square(float a) => a * a;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Abs(float a) => MathF.Abs(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Step(float a) => a > 0 ? 1f : (float.IsNaN(a) ? a : 0f);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sign(float a) => a > 0 ? 1f : a < 0 ? -1f : (float.IsNaN(a) ? a : 0f);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Eq(float a, float b) => a == b ? 1f : 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Ne(float a, float b) => a != b ? 1f : 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Gt(float a, float b) => a > b ? 1f : 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Lt(float a, float b) => a < b ? 1f : 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float And(float a, float b) => a * b;
    public static float True => 1f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Select(float mask, float a, float b) => mask != 0f ? a : b;
}
