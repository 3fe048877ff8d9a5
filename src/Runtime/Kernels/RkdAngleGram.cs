using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Threading.Tasks;
using LossDsl.Runtime.Kernels.Formulas;
using static LossDsl.Runtime.Kernels.DoubleSpans;

namespace LossDsl.Runtime.Kernels;

/// <summary>RepDistiller's RKD angle term through Gram matrices: for anchor i the angle between legs j and k is
/// <c>⟨x_j − x_i, x_k − x_i⟩ / (m_ij·m_ik) = (G_jk − G_ij − G_ik + G_ii) · r_ij · r_ik</c> with G the Gram matrix of the
/// (column-centred) rows, <c>q_ij = G_jj − 2G_ij + G_ii</c> a leg's squared length and <c>r = 1 / max(√q, 1e-12)</c>
/// (F.normalize's eps). So the N³ triples cost a few scalar operations each instead of a D-long dot product:
/// O(N²·D + N³) arithmetic, O(N²) memory (the Gram matrices and one gradient matrix per thread).
/// </summary>
/// <remarks>
/// The Gram form cancels: a leg much shorter than its rows' norms (after centring) loses digits. Such "near" legs
/// (<c>q &lt; 1e-3·(G_ii + G_jj)</c>: legs under ~3 % of their rows' centred norms, duplicates included) are computed from the differences themselves, as the
/// reference does, for every triple that uses them; everywhere else the Gram form's relative error stays below
/// ~1e-10 in double. Everything runs in double whatever the input type.
/// The gradient: <c>∂L/∂P_ijk</c> goes to the Gram entries each P read, a leg's <c>∂L/∂q</c> to the three entries it
/// read, and <c>∂L/∂X = (dG + dGᵀ)·X̃</c> (X̃ the centred rows; the loss is translation invariant, so the centring's
/// own Jacobian only removes the gradient's column means). Near legs send their gradient to the rows directly.
/// </remarks>
internal static class RkdAngleGram
{
    /// <summary>Legs shorter than this fraction of <c>G_ii + G_jj</c> (squared) are computed from the differences.</summary>
    internal const double NearLeg = 1e-3;
    private const double Eps = 1e-12;
    /// <summary>Cap on the per-thread gradient matrices (threads are reduced to stay under it).</summary>
    private const long MaxGradientBytes = 2L << 30;

    /// <summary>See <see cref="TripletEngine.RkdAngle{T}"/>.</summary>
    public static double Run<T>(ReadOnlySpan<T> student, int d, ReadOnlySpan<T> teacher, int dt, int n, Span<T> dStudent) where T : unmanaged
    {
        var s = new Side(Widen(student, n, d), n, d);
        var t = new Side(Widen(teacher, n, dt), n, dt);
        var want = !dStudent.IsEmpty;
        var ld = s.Stride;
        var threads = Math.Clamp(Math.Min(PairEngine.MaxThreads, n), 1, 256);
        if (want) threads = (int)Math.Max(1, Math.Min(threads, MaxGradientBytes / ((long)ld * ld * sizeof(double))));
        var workers = new Anchors[threads];
        var wide = PairEngine.Width == SimdWidth.Auto && Vector512.IsHardwareAccelerated;
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, w =>
        {
            var a = workers[w] = new Anchors(s, t, want);
            for (var i = w; i < n; i += threads)
                if (wide) a.Run<Vector512<double>, Simd512D>(i);
                else a.Run<Vector256<double>, Simd256D>(i);
        });
        var scale = 1.0 / ((double)n * n * n);
        var total = 0.0;
        foreach (var a in workers) total += a.Loss;
        if (want) AddGradient(workers, s, scale, dStudent);
        return total * scale;
    }

    /// <summary>dStudent += scale · ((dG + dGᵀ)·X̃ with its column means removed + the near legs' direct part).</summary>
    private static void AddGradient<T>(Anchors[] workers, Side s, double scale, Span<T> dStudent) where T : unmanaged
    {
        int n = s.N, d = s.D, ld = s.Stride;
        // The workers' shares, summed into the first worker's buffers.
        var dg = workers[0].DG!;
        var direct = workers[0].DX!;
        for (var w = 1; w < workers.Length; w++)
        {
            for (long k = 0; k < dg.Length; k++) dg[k] += workers[w].DG![k];
            for (long k = 0; k < direct.Length; k++) direct[k] += workers[w].DX![k];
        }
        var dx = new double[(long)n * d];
        Parallel.For(0, n, a =>
        {
            var row = dx.AsSpan(a * d, d);
            for (var b = 0; b < n; b++)
            {
                var coefficient = dg[(long)a * ld + b] + dg[(long)b * ld + a];
                if (coefficient != 0) Axpy(coefficient, s.C.AsSpan(b * d, d), row);
            }
        });
        var mean = new double[d];
        for (var a = 0; a < n; a++)
            for (var k = 0; k < d; k++) mean[k] += dx[a * d + k];
        for (var k = 0; k < d; k++) mean[k] /= n;
        for (var a = 0; a < n; a++)
            for (var k = 0; k < d; k++)
            {
                var g = (dx[a * d + k] - mean[k] + direct[a * d + k]) * scale;
                dStudent[a * d + k] = PairEngine.FromDouble<T>(PairEngine.ToDouble(dStudent[a * d + k]) + g);
            }
    }

    /// <summary>One side (student or teacher): its rows in double, centred, their Gram matrix and the legs' 1/m.
    /// Matrices are N × <see cref="Stride"/> (N rounded up to a whole 512-bit vector; padding is 0).</summary>
    private sealed class Side
    {
        public readonly int N, D, Stride;
        public readonly double[] X, C, G, R;

        public Side(double[] x, int n, int d)
        {
            N = n; D = d; X = x;
            Stride = (n + 7) & ~7;
            C = Centred(x, n, d);
            G = new double[(long)n * Stride];
            R = new double[(long)n * Stride];
            Parallel.For(0, n, a =>
            {
                var ca = C.AsSpan(a * d, d);
                for (var b = 0; b <= a; b++)
                {
                    // One dot routine for every entry: equal rows give bit-equal entries, so their leg is exactly 0.
                    var v = Dot(ca, C.AsSpan(b * d, d));
                    G[(long)a * Stride + b] = v;
                    G[(long)b * Stride + a] = v;
                }
            });
            Parallel.For(0, n, i =>
            {
                for (var j = 0; j < n; j++) R[(long)i * Stride + j] = 1.0 / Math.Max(Math.Sqrt(Math.Max(Leg(i, j), 0)), Eps);
            });
        }

        /// <summary>q_ij = (G_jj − G_ij) + (G_ii − G_ij): the angles' numerator at k = j, so a leg's angle with itself is 1.</summary>
        public double Leg(int i, int j)
        {
            var gij = G[(long)i * Stride + j];
            return (G[(long)j * Stride + j] - gij) + (G[(long)i * Stride + i] - gij);
        }

        /// <summary>Whether the Gram form would cancel too much of leg (i, j) (NaN: no, so NaN stays on the fast path).</summary>
        public bool Near(int i, int j)
        {
            var q = Leg(i, j);
            return q < NearLeg * (G[(long)i * Stride + i] + G[(long)j * Stride + j]) || q <= Eps * Eps;
        }

        /// <summary>output ← x_j − x_i.</summary>
        public void Difference(int j, int i, Span<double> output)
        {
            var xj = X.AsSpan(j * D, D);
            var xi = X.AsSpan(i * D, D);
            for (var k = 0; k < D; k++) output[k] = xj[k] - xi[k];
        }
    }

    /// <summary>One thread's anchors: its share of the loss, of dG (N × stride) and of the near legs' direct gradient.</summary>
    private sealed class Anchors
    {
        private readonly Side _s, _t;
        private readonly bool _want;
        public double Loss;
        public readonly double[]? DG, DX;
        // Per anchor: the legs' 1/m (near legs and the anchor itself zeroed, so the vector pass skips them), each leg's
        // Σ_k c·a, and the near legs: slot per row, differences and direct 1/m.
        private readonly double[] _rs, _rt, _lambda;
        private readonly int[] _slotOf;
        private int[] _near = new int[8];
        private int _nearCount;
        private double[] _us = Array.Empty<double>(), _ut = Array.Empty<double>(), _nearRs = new double[8], _nearRt = new double[8];
        private readonly double[] _uj, _utj, _uk, _utk;

        public Anchors(Side s, Side t, bool want)
        {
            _s = s; _t = t; _want = want;
            var ld = s.Stride;
            _rs = new double[ld]; _rt = new double[ld]; _lambda = new double[s.N];
            _slotOf = new int[s.N];
            Array.Fill(_slotOf, -1);
            _uj = new double[s.D]; _uk = new double[s.D]; _utj = new double[t.D]; _utk = new double[t.D];
            if (want) { DG = new double[(long)s.N * ld]; DX = new double[(long)s.N * s.D]; }
        }

        public void Run<TV, V>(int i) where TV : struct where V : ISimd<TV, double>
        {
            var n = _s.N;
            FindNearLegs(i);
            Array.Clear(_lambda);
            for (var j = 0; j < n; j++)
            {
                if (j == i) continue;
                if (_slotOf[j] >= 0) NearRow(i, j);
                else
                {
                    FarRow<TV, V>(i, j);
                    if (_nearCount > 0) FarRowNearColumns(i, j);
                }
            }
            if (_want) LegGradients(i);
            for (var q = 0; q < _nearCount; q++) _slotOf[_near[q]] = -1;
        }

        private void FindNearLegs(int i)
        {
            int n = _s.N, ld = _s.Stride, ds = _s.D, dt = _t.D;
            Array.Copy(_s.R, (long)i * ld, _rs, 0, ld);
            Array.Copy(_t.R, (long)i * ld, _rt, 0, ld);
            _rs[i] = 0; _rt[i] = 0;
            _nearCount = 0;
            for (var j = 0; j < n; j++)
            {
                if (j == i || !(_s.Near(i, j) || _t.Near(i, j))) continue;
                if (_nearCount == _near.Length)
                {
                    Array.Resize(ref _near, 2 * _nearCount);
                    Array.Resize(ref _nearRs, 2 * _nearCount);
                    Array.Resize(ref _nearRt, 2 * _nearCount);
                }
                if (_us.Length < (_nearCount + 1) * ds) Array.Resize(ref _us, Math.Max(2 * _us.Length, (_nearCount + 1) * ds));
                if (_ut.Length < (_nearCount + 1) * dt) Array.Resize(ref _ut, Math.Max(2 * _ut.Length, (_nearCount + 1) * dt));
                var us = _us.AsSpan(_nearCount * ds, ds);
                var ut = _ut.AsSpan(_nearCount * dt, dt);
                _s.Difference(j, i, us);
                _t.Difference(j, i, ut);
                _nearRs[_nearCount] = 1.0 / Math.Max(Math.Sqrt(Dot(us, us)), Eps);
                _nearRt[_nearCount] = 1.0 / Math.Max(Math.Sqrt(Dot(ut, ut)), Eps);
                _near[_nearCount] = j;
                _slotOf[j] = _nearCount++;
                _rs[j] = 0; _rt[j] = 0;
            }
        }

        /// <summary>Row j of anchor i over every far column k, Gram form, vectorised:
        /// <c>a = ((G_jk − G_ik) + (G_ii − G_ij))·r_ij·r_ik</c>, b the same for the teacher, loss h(a − b);
        /// <c>c = h'(a − b)</c>, <c>dP = c·r_ij·r_ik</c> to dG_jk (+), dG_ik (−), and summed to dG_ij (−), dG_ii (+).</summary>
        private void FarRow<TV, V>(int i, int j) where TV : struct where V : ISimd<TV, double>
        {
            int ld = _s.Stride;
            long oi = (long)i * ld, oj = (long)j * ld;
            ref var gsj = ref _s.G[oj];
            ref var gsi = ref _s.G[oi];
            ref var gtj = ref _t.G[oj];
            ref var gti = ref _t.G[oi];
            ref var rs = ref _rs[0];
            ref var rt = ref _rt[0];
            var rsij = _s.R[oi + j];
            var rtij = _t.R[oi + j];
            var cs = V.Broadcast(_s.G[oi + i] - _s.G[oi + j]);
            var ct = V.Broadcast(_t.G[oi + i] - _t.G[oi + j]);
            var vrs = V.Broadcast(rsij);
            var vrt = V.Broadcast(rtij);
            TV loss = V.Zero, lambda = V.Zero, sum = V.Zero;
            if (_want)
            {
                ref var dgj = ref DG![oj];
                ref var dgi = ref DG![oi];
                for (var k = 0; k < ld; k += V.Lanes)
                {
                    var ws = V.Mul(vrs, V.Load(ref Unsafe.Add(ref rs, k)));
                    var a = V.Mul(V.Add(V.Sub(V.Load(ref Unsafe.Add(ref gsj, k)), V.Load(ref Unsafe.Add(ref gsi, k))), cs), ws);
                    var b = V.Mul(V.Add(V.Sub(V.Load(ref Unsafe.Add(ref gtj, k)), V.Load(ref Unsafe.Add(ref gti, k))), ct),
                        V.Mul(vrt, V.Load(ref Unsafe.Add(ref rt, k))));
                    var u = V.Sub(a, b);
                    loss = V.Add(loss, SmoothL1.Value<TV, V>(u));
                    var c = SmoothL1.Derivative<TV, V>(u);
                    lambda = V.Fma(c, a, lambda);
                    var dp = V.Mul(c, ws);
                    sum = V.Add(sum, dp);
                    V.Store(V.Add(V.Load(ref Unsafe.Add(ref dgj, k)), dp), ref Unsafe.Add(ref dgj, k));
                    V.Store(V.Sub(V.Load(ref Unsafe.Add(ref dgi, k)), dp), ref Unsafe.Add(ref dgi, k));
                }
                var p = V.SumToDouble(sum);
                DG[oi + j] -= p;
                DG[oi + i] += p;
                _lambda[j] += V.SumToDouble(lambda);
            }
            else
            {
                for (var k = 0; k < ld; k += V.Lanes)
                {
                    var a = V.Mul(V.Add(V.Sub(V.Load(ref Unsafe.Add(ref gsj, k)), V.Load(ref Unsafe.Add(ref gsi, k))), cs),
                        V.Mul(vrs, V.Load(ref Unsafe.Add(ref rs, k))));
                    var b = V.Mul(V.Add(V.Sub(V.Load(ref Unsafe.Add(ref gtj, k)), V.Load(ref Unsafe.Add(ref gti, k))), ct),
                        V.Mul(vrt, V.Load(ref Unsafe.Add(ref rt, k))));
                    loss = V.Add(loss, SmoothL1.Value<TV, V>(V.Sub(a, b)));
                }
            }
            Loss += V.SumToDouble(loss);
        }

        /// <summary>Row j (a far leg) at the near columns: the angle from the differences, as the reference.</summary>
        private void FarRowNearColumns(int i, int j)
        {
            _s.Difference(j, i, _uj);
            _t.Difference(j, i, _utj);
            long at = (long)i * _s.Stride + j;
            double rsj = _s.R[at], rtj = _t.R[at];
            for (var q = 0; q < _nearCount; q++)
            {
                var uk = _us.AsSpan(q * _s.D, _s.D);
                var a = Dot(_uj, uk) * rsj * _nearRs[q];
                var b = Dot(_utj, _ut.AsSpan(q * _t.D, _t.D)) * rtj * _nearRt[q];
                Direct(i, j, _near[q], a, b, rsj * _nearRs[q], _uj, uk);
            }
        }

        /// <summary>Row j (a near leg) at every column k ≠ i, from the differences.</summary>
        private void NearRow(int i, int j)
        {
            var slot = _slotOf[j];
            var uj = _us.AsSpan(slot * _s.D, _s.D);
            var utj = _ut.AsSpan(slot * _t.D, _t.D);
            long row = (long)i * _s.Stride;
            for (var k = 0; k < _s.N; k++)
            {
                if (k == i) continue;
                var other = _slotOf[k];
                Span<double> uk, utk;
                double rsk, rtk;
                if (other >= 0)
                {
                    uk = _us.AsSpan(other * _s.D, _s.D); utk = _ut.AsSpan(other * _t.D, _t.D);
                    rsk = _nearRs[other]; rtk = _nearRt[other];
                }
                else
                {
                    _s.Difference(k, i, _uk); _t.Difference(k, i, _utk);
                    uk = _uk; utk = _utk;
                    rsk = _s.R[row + k]; rtk = _t.R[row + k];
                }
                var a = Dot(uj, uk) * _nearRs[slot] * rsk;
                var b = Dot(utj, utk) * _nearRt[slot] * rtk;
                Direct(i, j, k, a, b, _nearRs[slot] * rsk, uj, uk);
            }
        }

        /// <summary>One triple computed from the differences u_ij, u_ik: its loss, and with P = ⟨u_ij, u_ik⟩,
        /// <c>∂P/∂u_ij = u_ik</c>, <c>∂P/∂u_ik = u_ij</c>, u_ij = x_j − x_i.</summary>
        private void Direct(int i, int j, int k, double a, double b, double w, ReadOnlySpan<double> uj, ReadOnlySpan<double> uk)
        {
            var u = a - b;
            Loss += SmoothL1.Value<double, ScalarMath64>(u);
            if (!_want) return;
            var c = SmoothL1.Derivative<double, ScalarMath64>(u);
            _lambda[j] += c * a;
            var dp = c * w;
            if (dp == 0) return;
            var d = _s.D;
            Axpy(dp, uk, DX.AsSpan(j * d, d));
            Axpy(dp, uj, DX.AsSpan(k * d, d));
            var xi = DX.AsSpan(i * d, d);
            Axpy(-dp, uk, xi);
            Axpy(-dp, uj, xi);
        }

        /// <summary>The legs' lengths: a is ∝ r_ij in both positions of a leg, so ∂L/∂log r_ij = 2λ_j
        /// (λ_j = Σ_k c·a over row j) and, with r = q^(−1/2), ∂L/∂q_ij = −λ_j / q_ij = −λ_j·r_ij².</summary>
        private void LegGradients(int i)
        {
            int n = _s.N, ld = _s.Stride, d = _s.D;
            long oi = (long)i * ld;
            for (var j = 0; j < n; j++)
            {
                if (j == i || _lambda[j] == 0) continue;
                var slot = _slotOf[j];
                if (slot < 0)
                {
                    var r = _s.R[oi + j];
                    var dq = -_lambda[j] * r * r;
                    DG![(long)j * ld + j] += dq;
                    DG[oi + i] += dq;
                    DG[oi + j] -= 2 * dq;
                }
                else
                {
                    // A clamped leg (‖u‖ ≤ eps) has a constant length, as in F.normalize.
                    var uj = _us.AsSpan(slot * d, d);
                    var q = Dot(uj, uj);
                    if (!(Math.Sqrt(q) > Eps)) continue;
                    var coefficient = -2 * _lambda[j] / q;
                    Axpy(coefficient, uj, DX.AsSpan(j * d, d));
                    Axpy(-coefficient, uj, DX.AsSpan(i * d, d));
                }
            }
        }
    }

    private static double[] Widen<T>(ReadOnlySpan<T> x, int n, int d) where T : unmanaged
    {
        if (x.Length < (long)n * d) throw new ArgumentException($"expected [{n}, {d}], got {x.Length} elements.");
        var output = new double[(long)n * d];
        for (var k = 0; k < output.Length; k++) output[k] = PairEngine.ToDouble(x[k]);
        return output;
    }

    private static double[] Centred(double[] x, int n, int d)
    {
        var mean = new double[d];
        for (var a = 0; a < n; a++)
            for (var k = 0; k < d; k++) mean[k] += x[a * d + k];
        for (var k = 0; k < d; k++) mean[k] /= Math.Max(n, 1);
        var c = new double[x.Length];
        for (var a = 0; a < n; a++)
            for (var k = 0; k < d; k++) c[a * d + k] = x[a * d + k] - mean[k];
        return c;
    }
}
