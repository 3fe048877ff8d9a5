using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Runtime.Kernels;
using static TorchSharp.torch;

namespace LossDsl.Bench;

/// <summary><c>threshold</c> [<c>--only LOSS</c>] [<c>--rounds K</c>] [<c>--threads T</c>] [<c>--sizes 512,2048,…</c>]: where fusion starts to pay
/// on this CPU, the measurement behind <c>FusionPolicy.DefaultMinimumPairs</c>. For each generated loss
/// (<see cref="Generated"/>) and batch size, after a warm-up (<c>Quick.WarmUp</c>) and one untimed run of each, the fused (<c>MinimumFusedPairs = 0</c>)
/// and unfused (<c>UseFusedKernels = false</c>) forward + backward alternate run by run in this process (which goes
/// first alternates too); each variant's best run is kept. <c>--threads</c> sets libtorch's and the engine's threads
/// (default: all).
/// Prints per size the ratio unfused / fused and the pairs (rows²), then per loss the crossover in pairs: the ratio
/// interpolated (log-log) to 1 between the largest size where fused is still slower and the next size.</summary>
internal static class Threshold
{
    private static readonly int[] Sizes = { 64, 128, 256, 512, 768, 1024, 1536, 2048 };

    public static int Run(string[] args)
    {
        string? Option(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        var filter = Option("--only");
        var rounds = int.Parse(Option("--rounds") ?? "7");
        var threads = int.Parse(Option("--threads") ?? Environment.ProcessorCount.ToString());
        var sizes = Option("--sizes")?.Split(',').Select(int.Parse).ToArray() ?? Sizes;
        set_num_threads(threads);
        PairEngine.MaxThreads = threads;
        Console.WriteLine($"# threshold: generated losses, fused vs unfused, forward + backward, float32, D = {Quick.D}, {threads} thread(s) (libtorch and engine); " +
            $"{rounds} alternating rounds of one run each, best per variant; THP_MEM_ALLOC_ENABLE={Environment.GetEnvironmentVariable("THP_MEM_ALLOC_ENABLE") ?? "unset"}, " +
            $"OMP_WAIT_POLICY={Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") ?? "unset"}");
        Console.WriteLine("| loss | rows | pairs (rows²) | fused (ms) | unfused (ms) | unfused / fused | values (fused, unfused) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---|");
        var crossovers = new List<string>();
        foreach (var loss in Generated.Names.Where(n => filter is null || n.Equals(filter, StringComparison.OrdinalIgnoreCase)))
        {
            var fused = Generated.For(loss, fused: true)!;
            var unfused = Generated.For(loss, fused: false)!;
            Func<int, (Tensor, Tensor)> inputs = loss switch { "NT-Xent" or "SupCon" => Quick.Views, "RKD-dist" or "RKD-angle" => Quick.Teacher, _ => Quick.Classes };
            var warm = new Quick.Case(loss, 64, 0, true, fused, unfused, null, inputs);
            Quick.WarmUp(warm, fused);
            Quick.WarmUp(warm, unfused);
            var ratios = new List<(long Pairs, double Ratio)>();
            foreach (var rows in sizes)
            {
                var c = warm with { Rows = rows };
                Quick.Once(c, fused);
                Quick.Once(c, unfused);
                Quick.Measurement bestFused = new(double.MaxValue, 0, 0), bestUnfused = new(double.MaxValue, 0, 0);
                for (var r = 0; r < rounds; r++)
                {
                    // One run each, the order alternating: both variants see the same stretch of the machine's load.
                    foreach (var isFused in r % 2 == 0 ? new[] { true, false } : new[] { false, true })
                    {
                        var m = Quick.Once(c, isFused ? fused : unfused);
                        if (isFused && m.Seconds < bestFused.Seconds) bestFused = m;
                        if (!isFused && m.Seconds < bestUnfused.Seconds) bestUnfused = m;
                    }
                }
                var pairs = (long)rows * rows;
                var ratio = bestUnfused.Seconds / bestFused.Seconds;
                ratios.Add((pairs, ratio));
                Console.WriteLine(FormattableString.Invariant(
                    $"| {loss} | {rows} | {pairs} | {bestFused.Seconds * 1e3:F2} | {bestUnfused.Seconds * 1e3:F2} | {ratio:F2} | {bestFused.Loss:G6}, {bestUnfused.Loss:G6} |"));
            }
            crossovers.Add($"{loss}: {Crossover(ratios)}");
        }
        Console.WriteLine("# crossover (pairs above which fused is faster; from the largest size where unfused / fused < 1):");
        foreach (var line in crossovers) Console.WriteLine("#   " + line);
        return 0;
    }

    /// <summary>The pairs where the ratio crosses 1 for good: log-log interpolation between the largest size with
    /// ratio &lt; 1 and the next size.</summary>
    private static string Crossover(List<(long Pairs, double Ratio)> ratios)
    {
        var last = ratios.FindLastIndex(r => r.Ratio < 1);
        if (last < 0) return FormattableString.Invariant($"fused faster at every size (≤ {ratios[0].Pairs} pairs)");
        if (last == ratios.Count - 1) return FormattableString.Invariant($"fused slower up to the largest size (> {ratios[^1].Pairs} pairs)");
        var (p0, r0) = ratios[last];
        var (p1, r1) = ratios[last + 1];
        var t = -Math.Log(r0) / (Math.Log(r1) - Math.Log(r0));
        var pairs = Math.Exp(Math.Log(p0) + t * (Math.Log(p1) - Math.Log(p0)));
        return FormattableString.Invariant($"≈ {pairs:F0} pairs (≈ {Math.Sqrt(pairs):F0} rows), between {p0} and {p1}");
    }
}
