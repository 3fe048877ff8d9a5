using System;
using System.Threading.Tasks;
using static LossDsl.Runtime.Kernels.DoubleSpans;

namespace LossDsl.Runtime.Kernels;

/// <summary>Reductions over triplets <c>reduce_{j,k} f(x_i, x_j, x_k)</c> without the N³ tensor: RKD angle through
/// Gram matrices (O(N²) memory, a few scalar operations per triple), the all-triplets margin loss sorts each
/// anchor's distances (O(N) memory per thread).</summary>
public static class TripletEngine
{
    /// <summary>RepDistiller's RKD angle term: <c>mean_{i,j,k} h(⟨e_ij, e_ik⟩ − ⟨t_ij, t_ik⟩)</c> over all N³
    /// triples, with <c>e_ij = normalize(x_j − x_i)</c> (student, F.normalize with eps 1e-12), <c>t_ij</c> the same for
    /// the teacher and h smooth L1 (β = 1). When <paramref name="dStudent"/> is not empty, the gradient of the
    /// returned mean is <b>added</b> to it in the same pass (the mean of independent terms needs no forward
    /// output). Computed through the Gram matrices (<see cref="RkdAngleGram"/>): O(N²·D + N³) time, O(N²) memory,
    /// in double whatever <typeparamref name="T"/> is.</summary>
    /// <param name="student">[N, D], row-major.</param>
    /// <param name="teacher">[N, Dt], row-major (no gradient).</param>
    /// <returns>The loss, in double.</returns>
    public static double RkdAngle<T>(ReadOnlySpan<T> student, int d, ReadOnlySpan<T> teacher, int dt, int n, Span<T> dStudent) where T : unmanaged
    {
        if (student.Length < (long)n * d || teacher.Length < (long)n * dt) throw new ArgumentException($"student must be [{n}, {d}] and teacher [{n}, {dt}].");
        if (!dStudent.IsEmpty && dStudent.Length < (long)n * d) throw new ArgumentException($"dStudent must be [{n}, {d}].");
        if (n == 0) return double.NaN; // the mean of nothing, as torch's mean of an empty tensor
        return RkdAngleGram.Run(student[..(n * d)], d, teacher[..(n * dt)], dt, n, dStudent.IsEmpty ? dStudent : dStudent[..(n * d)]);
    }

    /// <summary>pytorch-metric-learning's <c>TripletMarginLoss</c> over all triplets with its AvgNonZero reducer:
    /// <c>Σ relu(d_ap − d_an + margin) / #{terms &gt; 0}</c> over anchors a, positives p ≠ a (same label) and
    /// negatives n (other label), d the Euclidean distance <c>√max(‖a‖² + ‖b‖² − 2⟨a, b⟩, 0)</c> (exactly 0 for equal rows, which pass no gradient) of the given
    /// rows (normalise them first for the library's default). Per anchor the negatives' distances are sorted, so
    /// each positive's sum over negatives is a binary search and a prefix sum: O(N² (D + log N)) time, no N³
    /// tensor. When <paramref name="dz"/> is not empty the gradient of the returned value is added to it.</summary>
    /// <returns>The loss (0 when no triplet is positive) and the exact count of positive terms.</returns>
    public static (double Loss, long Count) TripletMarginAll<T>(ReadOnlySpan<T> z, int n, int d, ReadOnlySpan<long> labels, double margin, Span<T> dz)
        where T : unmanaged
    {
        if (z.Length < (long)n * d || labels.Length != n) throw new ArgumentException($"z must be [{n}, {d}] and labels [{n}].");
        if (!dz.IsEmpty && dz.Length < (long)n * d) throw new ArgumentException($"dz must be [{n}, {d}].");
        var x = new double[(long)n * d];
        for (long k = 0; k < x.Length; k++) x[k] = PairEngine.ToDouble(z[(int)k]);
        var sq = new double[n];
        for (var i = 0; i < n; i++) sq[i] = Dot(x.AsSpan(i * d, d), x.AsSpan(i * d, d));
        var y = labels.ToArray();
        var wantGrad = !dz.IsEmpty;
        var total = 0.0;
        long count = 0;
        var grad = wantGrad ? new double[(long)n * d] : null;
        var gate = new object();
        Parallel.For(0, n, () => new AnchorScratch(n, d, wantGrad), (a, _, s) =>
        {
            var xa = x.AsSpan(a * d, d);
            int np = 0, nn = 0;
            for (var j = 0; j < n; j++)
            {
                if (j == a) continue;
                // Equal rows: sq[a] = sq[j] = ⟨x_a, x_j⟩ bit for bit (one Dot), so exactly 0 apart.
                var dist = Math.Sqrt(Math.Max(sq[a] + sq[j] - 2 * Dot(xa, x.AsSpan(j * d, d)), 0));
                if (y[j] == y[a]) { s.PosD[np] = dist; s.PosJ[np++] = j; }
                else { s.NegD[nn] = dist; s.NegJ[nn++] = j; }
            }
            if (np == 0 || nn == 0) return s;
            // Negatives by distance, with prefix sums: Σ_n relu(c − d_an) = k·c − Σ_{k smallest} d_an, k = #{d_an < c}.
            Array.Sort(s.NegD, s.NegJ, 0, nn);
            s.Prefix[0] = 0;
            for (var k = 0; k < nn; k++) s.Prefix[k + 1] = s.Prefix[k] + s.NegD[k];
            for (var q = 0; q < np; q++)
            {
                var c = s.PosD[q] + margin;
                var k = LowerBound(s.NegD, nn, c);
                s.Sum += k * c - s.Prefix[k];
                s.Count += k;
                s.PosCoef[q] = k;
                s.C[q] = c;
            }
            if (!wantGrad) return s;
            // ∂/∂d_an = −#{p : d_ap + m > d_an}, the same predicate as the counts above.
            Array.Sort(s.C, 0, np);
            for (var k = 0; k < nn; k++) s.NegCoef[k] = -(np - UpperBound(s.C, np, s.NegD[k]));
            AddPairGradients(x, a, d, s.PosJ, s.PosD, s.PosCoef, np, s.Grad!);
            AddPairGradients(x, a, d, s.NegJ, s.NegD, s.NegCoef, nn, s.Grad!);
            return s;
        }, s =>
        {
            lock (gate)
            {
                total += s.Sum;
                count += s.Count;
                if (grad != null) for (long k = 0; k < grad.Length; k++) grad[k] += s.Grad![k];
            }
        });
        if (count == 0) return (0.0, 0);
        if (grad != null)
            for (long k = 0; k < grad.Length; k++) dz[(int)k] = PairEngine.FromDouble<T>(PairEngine.ToDouble(dz[(int)k]) + grad[k] / count);
        return (total / count, count);
    }

    /// <summary>Adds κ_j · ∂d_aj/∂z for the listed pairs (d = √sq: ∂d/∂z_a = (z_a − z_j)/d).</summary>
    private static void AddPairGradients(double[] x, int a, int d, int[] js, double[] dist, double[] coef, int count, double[] grad)
    {
        var xa = x.AsSpan(a * d, d);
        var ga = grad.AsSpan(a * d, d);
        for (var q = 0; q < count; q++)
        {
            if (coef[q] == 0 || dist[q] <= 0) continue;
            var w = coef[q] / dist[q];
            var j = js[q];
            var xj = x.AsSpan(j * d, d);
            var gj = grad.AsSpan(j * d, d);
            for (var k = 0; k < d; k++)
            {
                var u = w * (xa[k] - xj[k]);
                ga[k] += u;
                gj[k] -= u;
            }
        }
    }

    private static int LowerBound(double[] sorted, int length, double value)
    {
        int lo = 0, hi = length;
        while (lo < hi) { var mid = (lo + hi) >> 1; if (sorted[mid] < value) lo = mid + 1; else hi = mid; }
        return lo;
    }

    private static int UpperBound(double[] sorted, int length, double value)
    {
        int lo = 0, hi = length;
        while (lo < hi) { var mid = (lo + hi) >> 1; if (sorted[mid] <= value) lo = mid + 1; else hi = mid; }
        return lo;
    }

    private sealed class AnchorScratch
    {
        public AnchorScratch(int n, int d, bool grad)
        {
            PosD = new double[n]; NegD = new double[n]; PosJ = new int[n]; NegJ = new int[n];
            Prefix = new double[n + 1]; PosCoef = new double[n]; NegCoef = new double[n]; C = new double[n];
            Grad = grad ? new double[(long)n * d] : null;
        }
        public readonly double[] PosD, NegD, Prefix, PosCoef, NegCoef, C;
        public readonly int[] PosJ, NegJ;
        public readonly double[]? Grad;
        public double Sum;
        public long Count;
    }
}
