using TorchSharp;
using static TorchSharp.torch;

namespace LossDsl.Runtime;

/// <summary>The one place where a number becomes a TorchSharp <see cref="Scalar"/>, and every tensor operation
/// that passes one to libtorch.</summary>
/// <remarks>A <see cref="Scalar"/> owns a native value and frees it in its finalizer. One made implicitly
/// (<c>t * 2.0</c>, <c>t.masked_fill(m, 0)</c>, and inside TorchSharp even <c>a + b</c> and <c>t.square()</c>,
/// which pass a temporary <c>alpha = 1</c> or exponent 2) is unreachable once its handle is read, so a GC on
/// another thread can free it while libtorch still reads it: an <c>ExternalException</c> from
/// <c>c10/core/Scalar.h</c> or a crash. Here each Scalar is either static (1, 2: alive for the process) or held
/// by a <c>using</c> until the native call has returned. <c>ScalarLifetimeTests</c> reads the IL of the runtime
/// and of generated code and fails on any number that reaches libtorch another way.</remarks>
public static class Scalars
{
    internal static readonly Scalar Zero = 0.0.ToScalar();
    internal static readonly Scalar One = 1.0.ToScalar();
    private static readonly Scalar Two = 2.0.ToScalar();
    private static readonly Scalar False = false.ToScalar();

    /// <summary>Sets the main diagonal of a Bool matrix <paramref name="t"/> to false, in place.</summary>
    public static void ClearDiagonal(Tensor t)
    {
        using var diagonal = t.diagonal();
        diagonal.fill_(False);
    }

    /// <summary><c>a + b</c> (broadcasting).</summary>
    public static Tensor Add(Tensor a, Tensor b) => a.add(b, One);

    /// <summary><c>a − b</c> (broadcasting).</summary>
    public static Tensor Sub(Tensor a, Tensor b) => a.sub(b);

    /// <summary><c>a · b</c> (broadcasting).</summary>
    public static Tensor Mul(Tensor a, Tensor b) => a.mul(b);

    /// <summary><c>a / b</c> (broadcasting).</summary>
    public static Tensor Div(Tensor a, Tensor b) => a.div(b);

    /// <summary><c>t + v</c>.</summary>
    public static Tensor Add(Tensor t, double v) { using var s = v.ToScalar(); return t.add(s); }

    /// <summary><c>v + t</c>.</summary>
    public static Tensor Add(double v, Tensor t) => Add(t, v);

    /// <summary><c>t − v</c>.</summary>
    public static Tensor Sub(Tensor t, double v) { using var s = v.ToScalar(); return t.sub(s); }

    /// <summary><c>v − t</c>.</summary>
    public static Tensor Sub(double v, Tensor t) { using var s = v.ToScalar(); return t.neg().add(s); }

    /// <summary><c>t · v</c>.</summary>
    public static Tensor Mul(Tensor t, double v) { using var s = v.ToScalar(); return t.mul(s); }

    /// <summary><c>v · t</c>.</summary>
    public static Tensor Mul(double v, Tensor t) => Mul(t, v);

    /// <summary><c>t / v</c>.</summary>
    public static Tensor Div(Tensor t, double v) { using var s = v.ToScalar(); return t.div(s); }

    /// <summary><c>v / t</c>.</summary>
    public static Tensor Div(double v, Tensor t) { using var s = v.ToScalar(); return t.reciprocal().mul(s); }

    /// <summary><c>t mod v</c> (integer tensors: labels).</summary>
    public static Tensor Remainder(Tensor t, long v) { using var s = v.ToScalar(); return t.remainder(s); }

    /// <summary><c>t²</c> (TorchSharp's <c>square()</c> passes a temporary exponent).</summary>
    public static Tensor Square(Tensor t) => t.pow(Two);

    /// <summary><c>t^p</c>.</summary>
    public static Tensor Pow(Tensor t, double p) { using var s = p.ToScalar(); return t.pow(s); }

    /// <summary><paramref name="values"/> with <paramref name="fill"/> where <paramref name="mask"/> holds
    /// (<c>masked_fill</c>: the filled entries pass no gradient).</summary>
    public static Tensor Fill(Tensor values, Tensor mask, double fill) { using var s = fill.ToScalar(); return values.masked_fill(mask, s); }

    /// <summary><paramref name="values"/> where <paramref name="keep"/> (Bool, broadcastable to the values) holds,
    /// <paramref name="fill"/> elsewhere: a fill at the
    /// pairs a mask drops without building the negated mask (at 16,384 × 16,384 a fresh 256 MiB tensor each call, whose
    /// pages cost ~0.4 s without huge pages); the gradient reaches the kept entries only, as the fill's does.</summary>
    public static Tensor Where(Tensor keep, Tensor values, double fill)
    {
        using var other = Full(System.Array.Empty<long>(), fill, values.dtype, values.device);
        return where(keep, values, other);
    }

    /// <summary><c>max(t, low)</c> entry-wise.</summary>
    public static Tensor ClampMin(Tensor t, double low) { using var s = low.ToScalar(); return t.clamp_min(s); }

    /// <summary><c>min(t, high)</c> entry-wise.</summary>
    public static Tensor ClampMax(Tensor t, double high) { using var s = high.ToScalar(); return t.clamp_max(s); }

    /// <summary><c>min(max(t, low), high)</c> entry-wise.</summary>
    public static Tensor Clamp(Tensor t, double low, double high)
    {
        using var lo = low.ToScalar();
        using var hi = high.ToScalar();
        return t.clamp(lo, hi);
    }

    /// <summary><c>t = v</c> entry-wise, Bool.</summary>
    public static Tensor Eq(Tensor t, double v) { using var s = v.ToScalar(); return t.eq(s); }

    /// <summary><c>t ≠ v</c> entry-wise, Bool.</summary>
    public static Tensor Ne(Tensor t, double v) { using var s = v.ToScalar(); return t.ne(s); }

    /// <summary><c>t &gt; v</c> entry-wise, Bool.</summary>
    public static Tensor Gt(Tensor t, double v) { using var s = v.ToScalar(); return t.gt(s); }

    /// <summary><c>t ≥ v</c> entry-wise, Bool.</summary>
    public static Tensor Ge(Tensor t, double v) { using var s = v.ToScalar(); return t.ge(s); }

    /// <summary><c>t &lt; v</c> entry-wise, Bool.</summary>
    public static Tensor Lt(Tensor t, double v) { using var s = v.ToScalar(); return t.lt(s); }

    /// <summary><c>t ≤ v</c> entry-wise, Bool.</summary>
    public static Tensor Le(Tensor t, double v) { using var s = v.ToScalar(); return t.le(s); }

    /// <summary><c>0, 1, …, n−1</c> as a tensor of <paramref name="dtype"/>.</summary>
    public static Tensor Arange(long n, ScalarType dtype, Device device)
    {
        using var stop = n.ToScalar();
        return arange(stop, dtype, device);
    }

    /// <summary>A tensor of <paramref name="shape"/> filled with <paramref name="v"/>.</summary>
    public static Tensor Full(long[] shape, double v, ScalarType dtype, Device device)
    {
        using var s = v.ToScalar();
        return full(shape, s, dtype, device);
    }
}
