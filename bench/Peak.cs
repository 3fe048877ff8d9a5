using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Threading.Tasks;

namespace LossDsl.Bench;

/// <summary><c>peak</c>: the machine's float32 FMA rate (12 independent Vector512/256 FMA chains per thread, in
/// registers), on 1 thread and on all, to put the engine's GFLOP/s in proportion.</summary>
internal static class Peak
{
    public static int Run()
    {
        foreach (var threads in new[] { 1, Environment.ProcessorCount })
        {
            var best = 0.0;
            for (var rep = 0; rep < 3; rep++)
            {
                const long iterations = 50_000_000;
                var clock = Stopwatch.StartNew();
                Parallel.For(0, threads, _ => Chains(iterations));
                var flops = 2.0 * 12 * Vector512<float>.Count * iterations * threads;
                best = Math.Max(best, flops / clock.Elapsed.TotalSeconds / 1e9);
            }
            Console.WriteLine($"FMA peak, {threads} thread(s): {best:F0} GFLOP/s (float32, {(Vector512.IsHardwareAccelerated ? "Vector512" : "emulated Vector512")})");
        }
        return 0;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Chains(long iterations)
    {
        var m = Vector512.Create(0.999999f);
        var a = Vector512.Create(1e-7f);
        Vector512<float> c0 = a, c1 = a, c2 = a, c3 = a, c4 = a, c5 = a, c6 = a, c7 = a, c8 = a, c9 = a, c10 = a, c11 = a;
        for (long k = 0; k < iterations; k++)
        {
            c0 = Vector512.FusedMultiplyAdd(c0, m, a); c1 = Vector512.FusedMultiplyAdd(c1, m, a);
            c2 = Vector512.FusedMultiplyAdd(c2, m, a); c3 = Vector512.FusedMultiplyAdd(c3, m, a);
            c4 = Vector512.FusedMultiplyAdd(c4, m, a); c5 = Vector512.FusedMultiplyAdd(c5, m, a);
            c6 = Vector512.FusedMultiplyAdd(c6, m, a); c7 = Vector512.FusedMultiplyAdd(c7, m, a);
            c8 = Vector512.FusedMultiplyAdd(c8, m, a); c9 = Vector512.FusedMultiplyAdd(c9, m, a);
            c10 = Vector512.FusedMultiplyAdd(c10, m, a); c11 = Vector512.FusedMultiplyAdd(c11, m, a);
        }
        return Vector512.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }
}
