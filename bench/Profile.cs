using System;
using System.Diagnostics;
using LossDsl.Runtime.Kernels;
using LossDsl.Runtime.Kernels.Formulas;

namespace LossDsl.Bench;

/// <summary><c>profile [rows]</c>: where the engine's time goes, one thread (so another process's load moves
/// every line alike): the same relation ([rows, 128] float32, self, dot) through the plain sum (micro-kernel and
/// the cheapest epilogue), NT-Xent's masked log-sum-exp (exp, mask, online max), and the backward of each
/// (recompute, epilogue, then the two gradient products), each as GFLOP/s of its products next to the FMA
/// peak measured in the same process.</summary>
internal static class Profile
{
    public static int Run(string[] args)
    {
        var n = args.Length > 0 ? int.Parse(args[0]) : 4096;
        const int d = 128;
        var previous = PairEngine.MaxThreads;
        PairEngine.MaxThreads = 1;
        try
        {
            var rng = new Random(1);
            var x = new float[n * d];
            for (var k = 0; k < x.Length; k++) x[k] = (float)(rng.NextDouble() - 0.5);
            if (Environment.GetEnvironmentVariable("PROFILE_NORMALISE") == "1")
                for (var i = 0; i < n; i++)
                {
                    var norm = 0.0;
                    for (var k = 0; k < d; k++) norm += x[i * d + k] * x[i * d + k];
                    for (var k = 0; k < d; k++) x[i * d + k] = (float)(x[i * d + k] / Math.Sqrt(norm));
                }
            var labels = new long[n];
            for (var i = 0; i < n; i++) labels[i] = i % (n / 2);
            var value = new double[n];
            var weight = new double[n];
            Array.Fill(weight, 1.0 / n);
            var dx = new float[n * d];
            var gemm = 2.0 * n * n * d;
            // Best of 3 at 4,096 rows; small sizes repeat more (a 1 ms pass needs ~30 tries to find a quiet moment).
            var Repeats = (int)Math.Clamp(2e9 / gemm, 3, 50);
            double Time(int pass)
            {
                Pass(pass, x, n, d, labels, value, weight, dx);
                var best = double.MaxValue;
                for (var r = 0; r < Repeats; r++)
                {
                    var c = Stopwatch.StartNew();
                    Pass(pass, x, n, d, labels, value, weight, dx);
                    best = Math.Min(best, c.Elapsed.TotalSeconds);
                }
                return best;
            }
            var sumF = Time(0);
            var lseF = Time(1);
            var sumB = Time(2);
            var lseB = Time(3);
            Console.WriteLine($"# engine profile, 1 thread, [{n}, {d}] float32 self relation, best of {Repeats}");
            Console.WriteLine("| pass | time (ms) | products | GFLOP/s |");
            Console.WriteLine("|---|---:|---:|---:|");
            Console.WriteLine($"| forward, plain sum (micro-kernel + cheapest epilogue) | {sumF * 1e3:F3} | 1 | {gemm / sumF / 1e9:F0} |");
            Console.WriteLine($"| forward, masked log-sum-exp (NT-Xent negatives) | {lseF * 1e3:F3} | 1 | {gemm / lseF / 1e9:F0} |");
            Console.WriteLine($"| backward, plain sum (recompute + B·X + Bᵀ·X) | {sumB * 1e3:F3} | 3 | {3 * gemm / sumB / 1e9:F0} |");
            Console.WriteLine($"| backward, masked log-sum-exp | {lseB * 1e3:F3} | 3 | {3 * gemm / lseB / 1e9:F0} |");
        }
        finally
        {
            PairEngine.MaxThreads = previous;
        }
        Peak.Run();
        return 0;
    }

    private static void Pass(int pass, float[] x, int n, int d, long[] labels, double[] value, double[] weight, float[] dx)
    {
        var ops = PairOperands<float>.SelfRelation(x, n, d, PairMetric.Dot);
        ops.RowLabels = labels;
        switch (pass)
        {
            case 0: PairEngine.Forward<float, ScaledRelation, AllPairs, SumReduce>(ops, new ScaledRelation(1), default, new PairRows { Value = value }); break;
            case 1: PairEngine.Forward<float, NtXentNegatives, DifferentLabel, LogSumExpReduce>(ops, new NtXentNegatives(0.1), default, new PairRows { Value = value }); break;
            case 2: PairEngine.Backward<float, ScaledRelation, AllPairs, SumReduce>(ops, new ScaledRelation(1), default, value, default, weight, new PairGradients<float> { DX = dx }); break;
            default: PairEngine.Backward<float, NtXentNegatives, DifferentLabel, LogSumExpReduce>(ops, new NtXentNegatives(0.1), default, value, default, weight, new PairGradients<float> { DX = dx }); break;
        }
    }
}
