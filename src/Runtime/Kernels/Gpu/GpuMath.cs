using ILGPU.Algorithms;

namespace LossDsl.Runtime.Kernels.Gpu;

/// <summary>What ILGPU kernels need of a number type besides <see cref="IPairMath{T}"/>: conversions to the
/// double accumulators of the reductions, and reading a scalar mask.</summary>
public interface IGpuNumber<T>
{
    /// <summary>The value as a double.</summary>
    static abstract double ToDouble(T value);
    /// <summary>A double as T.</summary>
    static abstract T FromDouble(double value);
    /// <summary>Whether a mask (1/0) holds.</summary>
    static abstract bool IsSet(T mask);
}

/// <summary><see cref="IPairMath{T}"/> over <c>float</c> with ILGPU's <c>XMath</c> (CUDA intrinsics on GPUs,
/// .NET math on the CPU accelerator); masks are 1/0.</summary>
public readonly struct GpuMath32 : IPairMath<float>, IGpuNumber<float>
{
    public static float Const(double value) => (float)value;
    public static float Add(float a, float b) => a + b;
    public static float Sub(float a, float b) => a - b;
    public static float Mul(float a, float b) => a * b;
    public static float Div(float a, float b) => a / b;
    public static float Neg(float a) => -a;
    public static float Min(float a, float b) => XMath.IsNaN(a) || XMath.IsNaN(b) ? float.NaN : XMath.Min(a, b);
    public static float Max(float a, float b) => XMath.IsNaN(a) || XMath.IsNaN(b) ? float.NaN : XMath.Max(a, b);
    public static float Exp(float a) => XMath.Exp(a);
    public static float Log(float a) => XMath.Log(a);
    public static float Sqrt(float a) => XMath.Sqrt(a);
    public static float Softplus(float a) => -LogSigmoid(-a);
    public static float Sigmoid(float a) => 1f / (1f + XMath.Exp(-a));
    public static float LogSigmoid(float a) => XMath.Min(a, 0f) - XMath.Log(1f + XMath.Exp(-XMath.Abs(a)));
    public static float Relu(float a) => a > 0f ? a : XMath.IsNaN(a) ? a : 0f;
    public static float Square(float a) => a * a;
    public static float Abs(float a) => XMath.Abs(a);
    public static float Step(float a) => a > 0f ? 1f : 0f;
    public static float Sign(float a) => a > 0f ? 1f : a < 0f ? -1f : 0f;
    public static float Eq(float a, float b) => a == b ? 1f : 0f;
    public static float Ne(float a, float b) => a != b ? 1f : 0f;
    public static float Gt(float a, float b) => a > b ? 1f : 0f;
    public static float Lt(float a, float b) => a < b ? 1f : 0f;
    public static float And(float a, float b) => a * b;
    public static float True => 1f;
    public static float Select(float mask, float a, float b) => mask != 0f ? a : b;
    public static double ToDouble(float value) => value;
    public static float FromDouble(double value) => (float)value;
    public static bool IsSet(float mask) => mask != 0f;
}

/// <summary><see cref="IPairMath{T}"/> over <c>double</c> with ILGPU's <c>XMath</c>; masks are 1/0.</summary>
public readonly struct GpuMath64 : IPairMath<double>, IGpuNumber<double>
{
    public static double Const(double value) => value;
    public static double Add(double a, double b) => a + b;
    public static double Sub(double a, double b) => a - b;
    public static double Mul(double a, double b) => a * b;
    public static double Div(double a, double b) => a / b;
    public static double Neg(double a) => -a;
    public static double Min(double a, double b) => XMath.IsNaN(a) || XMath.IsNaN(b) ? double.NaN : XMath.Min(a, b);
    public static double Max(double a, double b) => XMath.IsNaN(a) || XMath.IsNaN(b) ? double.NaN : XMath.Max(a, b);
    public static double Exp(double a) => XMath.Exp(a);
    public static double Log(double a) => XMath.Log(a);
    public static double Sqrt(double a) => XMath.Sqrt(a);
    public static double Softplus(double a) => -LogSigmoid(-a);
    public static double Sigmoid(double a) => 1.0 / (1.0 + XMath.Exp(-a));
    public static double LogSigmoid(double a) => XMath.Min(a, 0.0) - XMath.Log(1.0 + XMath.Exp(-XMath.Abs(a)));
    public static double Relu(double a) => a > 0.0 ? a : XMath.IsNaN(a) ? a : 0.0;
    public static double Square(double a) => a * a;
    public static double Abs(double a) => XMath.Abs(a);
    public static double Step(double a) => a > 0.0 ? 1.0 : 0.0;
    public static double Sign(double a) => a > 0.0 ? 1.0 : a < 0.0 ? -1.0 : 0.0;
    public static double Eq(double a, double b) => a == b ? 1.0 : 0.0;
    public static double Ne(double a, double b) => a != b ? 1.0 : 0.0;
    public static double Gt(double a, double b) => a > b ? 1.0 : 0.0;
    public static double Lt(double a, double b) => a < b ? 1.0 : 0.0;
    public static double And(double a, double b) => a * b;
    public static double True => 1.0;
    public static double Select(double mask, double a, double b) => mask != 0.0 ? a : b;
    public static double ToDouble(double value) => value;
    public static double FromDouble(double value) => value;
    public static bool IsSet(double mask) => mask != 0.0;
}
