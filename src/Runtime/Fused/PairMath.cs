using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LossDsl.Runtime.Fused
{
    /// <summary>The row primitives fused kernels call: per-pair leaves (dot products, squared distances)
    /// for a tile of rows against one row, and scaled row accumulations. They know nothing of any
    /// formula; the generated kernels combine them. Vectorised with <see cref="Vector256{T}"/> (FMA),
    /// accumulating in double; every index is checked once on entry.</summary>
    public static class PairMath
    {
        /// <summary><c>dots[r] = ⟨row_{first + r}, v⟩</c> for <c>r &lt; count</c>, where row k of
        /// <paramref name="rows"/> is <c>rows[k·d .. k·d + d)</c>. Four rows share each load of v.</summary>
        public static void DotRows(double[] rows, int first, int count, int d, ReadOnlySpan<double> v, Span<double> dots)
        {
            CheckRows(rows, first, count, d, v.Length, dots.Length);
            ref var vr = ref MemoryMarshal.GetReference(v);
            ref var row0 = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(rows), (nint)first * d);
            var r = 0;
            if (Vector256.IsHardwareAccelerated && d >= Vector256<double>.Count)
            {
                for (; r + 4 <= count; r += 4)
                {
                    ref var a0 = ref Unsafe.Add(ref row0, (nint)r * d);
                    ref var a1 = ref Unsafe.Add(ref a0, d);
                    ref var a2 = ref Unsafe.Add(ref a1, d);
                    ref var a3 = ref Unsafe.Add(ref a2, d);
                    Vector256<double> s0 = Vector256<double>.Zero, s1 = s0, s2 = s0, s3 = s0;
                    var k = 0;
                    for (; k + Vector256<double>.Count <= d; k += Vector256<double>.Count)
                    {
                        var vk = Vector256.LoadUnsafe(ref vr, (nuint)k);
                        s0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref a0, (nuint)k), vk, s0);
                        s1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref a1, (nuint)k), vk, s1);
                        s2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref a2, (nuint)k), vk, s2);
                        s3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref a3, (nuint)k), vk, s3);
                    }
                    double t0 = Vector256.Sum(s0), t1 = Vector256.Sum(s1), t2 = Vector256.Sum(s2), t3 = Vector256.Sum(s3);
                    for (; k < d; k++)
                    {
                        var vk = Unsafe.Add(ref vr, k);
                        t0 += Unsafe.Add(ref a0, k) * vk;
                        t1 += Unsafe.Add(ref a1, k) * vk;
                        t2 += Unsafe.Add(ref a2, k) * vk;
                        t3 += Unsafe.Add(ref a3, k) * vk;
                    }
                    dots[r] = t0;
                    dots[r + 1] = t1;
                    dots[r + 2] = t2;
                    dots[r + 3] = t3;
                }
            }
            for (; r < count; r++)
                dots[r] = Dot(ref Unsafe.Add(ref row0, (nint)r * d), ref vr, d);
        }

        /// <summary><c>out[r] = ‖row_{first + r} − v‖²</c> for <c>r &lt; count</c> (for distance metrics).</summary>
        public static void SquaredDistanceRows(double[] rows, int first, int count, int d, ReadOnlySpan<double> v, Span<double> output)
        {
            CheckRows(rows, first, count, d, v.Length, output.Length);
            for (var r = 0; r < count; r++)
            {
                var row = new ReadOnlySpan<double>(rows, (first + r) * d, d);
                var sum = 0.0;
                for (var k = 0; k < d; k++)
                {
                    var diff = row[k] - v[k];
                    sum += diff * diff;
                }
                output[r] = sum;
            }
        }

        /// <summary><c>row_{first + r} += weights[r] · v</c> for <c>r &lt; count</c>; rows with a zero weight
        /// are left untouched.</summary>
        public static void AxpyRows(ReadOnlySpan<double> weights, ReadOnlySpan<double> v, double[] rows, int first, int count, int d)
        {
            CheckRows(rows, first, count, d, v.Length, weights.Length);
            for (var r = 0; r < count; r++)
                if (weights[r] != 0.0) Axpy(weights[r], v, new Span<double>(rows, (first + r) * d, d));
        }

        /// <summary><c>⟨a, b⟩</c>.</summary>
        public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
        {
            if (a.Length != b.Length) throw new ArgumentException("Rows of different lengths.");
            return Dot(ref MemoryMarshal.GetReference(a), ref MemoryMarshal.GetReference(b), a.Length);
        }

        /// <summary><c>acc += alpha · x</c>.</summary>
        public static void Axpy(double alpha, ReadOnlySpan<double> x, Span<double> acc)
        {
            if (x.Length != acc.Length) throw new ArgumentException("Rows of different lengths.");
            ref var xr = ref MemoryMarshal.GetReference(x);
            ref var ar = ref MemoryMarshal.GetReference(acc);
            int n = x.Length, k = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                var va = Vector256.Create(alpha);
                for (; k + Vector256<double>.Count <= n; k += Vector256<double>.Count)
                    Vector256.FusedMultiplyAdd(va, Vector256.LoadUnsafe(ref xr, (nuint)k), Vector256.LoadUnsafe(ref ar, (nuint)k))
                        .StoreUnsafe(ref ar, (nuint)k);
            }
            for (; k < n; k++) Unsafe.Add(ref ar, k) += alpha * Unsafe.Add(ref xr, k);
        }

        // Scalar functions the generated pair formulas call, in the stable forms Ops uses: softplus is
        // −logsigmoid(−a), and logsigmoid(a) = min(a, 0) − log(1 + e^{−|a|}), finite for every finite a and
        // exact at ±∞ (softplus(−∞) = 0, σ(−∞) = 0). Step and Sign are the derivatives of Relu and Abs, 0 at 0.

        /// <summary><c>log(1 + e^a)</c>, as <c>−logsigmoid(−a)</c>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double Softplus(double a) => -LogSigmoid(-a);

        /// <summary><c>1 / (1 + e^{−a})</c>, without overflow on either side.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double Sigmoid(double a)
        {
            if (a >= 0) return 1.0 / (1.0 + Math.Exp(-a));
            var e = Math.Exp(a);
            return e / (1.0 + e);
        }

        /// <summary><c>log σ(a) = min(a, 0) − log(1 + e^{−|a|})</c>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double LogSigmoid(double a) => Math.Min(a, 0.0) - Math.Log(1.0 + Math.Exp(-Math.Abs(a)));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double Relu(double a) => a > 0 ? a : 0.0;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double Square(double a) => a * a;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double Abs(double a) => Math.Abs(a);

        /// <summary><c>[a &gt; 0]</c>: the derivative of relu.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double Step(double a) => a > 0 ? 1.0 : 0.0;

        /// <summary>The sign of a (0 at 0): the derivative of |a|.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double Sign(double a) => a > 0 ? 1.0 : a < 0 ? -1.0 : 0.0;

        private static double Dot(ref double a, ref double b, int n)
        {
            var k = 0;
            var sum = 0.0;
            if (Vector256.IsHardwareAccelerated && n >= Vector256<double>.Count)
            {
                Vector256<double> s0 = Vector256<double>.Zero, s1 = s0;
                for (; k + 2 * Vector256<double>.Count <= n; k += 2 * Vector256<double>.Count)
                {
                    s0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref a, (nuint)k), Vector256.LoadUnsafe(ref b, (nuint)k), s0);
                    s1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref a, (nuint)(k + 4)), Vector256.LoadUnsafe(ref b, (nuint)(k + 4)), s1);
                }
                for (; k + Vector256<double>.Count <= n; k += Vector256<double>.Count)
                    s0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref a, (nuint)k), Vector256.LoadUnsafe(ref b, (nuint)k), s0);
                sum = Vector256.Sum(s0 + s1);
            }
            for (; k < n; k++) sum += Unsafe.Add(ref a, k) * Unsafe.Add(ref b, k);
            return sum;
        }

        private static void CheckRows(double[] rows, int first, int count, int d, int vLength, int outLength)
        {
            if (rows is null) throw new ArgumentNullException(nameof(rows));
            if (first < 0 || count < 0 || d < 0 || vLength != d || outLength < count || (long)(first + count) * d > rows.Length)
                throw new ArgumentOutOfRangeException(nameof(count),
                    $"Rows [{first}, {first + count}) of width {d} do not fit an array of {rows.Length} values, a row of {vLength} and an output of {outLength}.");
        }
    }
}
