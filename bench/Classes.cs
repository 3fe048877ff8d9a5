using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using LossDsl.Runtime;
using LossDsl.Zoo;
using static TorchSharp.torch;

namespace LossDsl.Bench;

/// <summary><c>classes [N] [C] [rounds] [LOSS]</c>: the losses whose relation has classes as columns (CosFace and ArcFace
/// against class weights W [D, C], Proxy-Anchor and Proxy-NCA against proxies [C, D]) at a face-recognition or
/// retrieval size, fused against unfused (the generated TorchSharp nodes), forward + backward, float32, D = 128, in
/// alternating rounds: best and median time, peak-RSS rise and faulted MiB of each.</summary>
internal static class Classes
{
    /// <summary>Rounds run first and not counted, at least 20 and two seconds: .NET's tiered JIT promotes the engine's
    /// code for each new formula struct after some 30 calls and a quiet spell (before that a fused CosFace step at
    /// 512 × 1,024 took up to twice its promoted time).</summary>
    private const int WarmUpRounds = 20;
    private const double WarmUpSeconds = 2;

    public static int Run(string[] args)
    {
        var n = args.Length > 0 ? int.Parse(args[0]) : 512;
        var c = args.Length > 1 ? int.Parse(args[1]) : 16384;
        var rounds = args.Length > 2 ? int.Parse(args[2]) : 5;
        set_num_threads(Environment.ProcessorCount);
        Console.WriteLine($"# classes as columns: N = {n}, C = {c}, D = {Quick.D}, {rounds} alternating rounds; THP_MEM_ALLOC_ENABLE={Environment.GetEnvironmentVariable("THP_MEM_ALLOC_ENABLE") ?? "unset"}");
        Console.WriteLine("| loss | variant | best (s) | median (s) | peak RSS +MiB | faulted MiB | best / unfused | value |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|");
        var only = args.Length > 3 ? args[3] : null;
        foreach (var (name, make, classWeights) in Losses().Where(l => only is null || l.Item1 == only))
        {
            var variants = new[] { ("fused", true), ("unfused", false) };
            var results = variants.Select(_ => new List<Quick.Measurement>()).ToArray();
            var warm = Stopwatch.StartNew();
            for (var r = 0; r < WarmUpRounds || warm.Elapsed.TotalSeconds < WarmUpSeconds; r++)
                foreach (var (_, fused) in variants)
                {
                    var loss = make();
                    loss.UseFusedKernels = fused;
                    loss.MinimumFusedPairs = 0;
                    Once(loss, n, c, classWeights);
                }
            for (var r = 0; r < rounds; r++)
                for (var v = 0; v < variants.Length; v++)
                {
                    var loss = make();
                    loss.UseFusedKernels = variants[v].Item2;
                    loss.MinimumFusedPairs = 0;
                    var m = Once(loss, n, c, classWeights);
                    results[v].Add(m);
                }
            var unfusedBest = results[1].Min(m => m.Seconds);
            for (var v = 0; v < variants.Length; v++)
            {
                var times = results[v].Select(m => m.Seconds).OrderBy(t => t).ToList();
                Console.WriteLine(FormattableString.Invariant(
                    $"| {name} | {variants[v].Item1} | {times[0]:F4} | {times[times.Count / 2]:F4} | {results[v].Max(m => m.PeakMiB):F0} | {results[v].Max(m => m.FaultedMiB):F0} | {times[0] / unfusedBest:F2}x | {results[v][0].Loss:G6} |"));
            }
        }
        return 0;
    }

    private static IEnumerable<(string, Func<ILoss>, bool)> Losses()
    {
        yield return ("CosFace", () => new CosFace(), true);
        yield return ("ArcFace", () => new ArcFace(), true);
        yield return ("ProxyAnchor", () => new ProxyAnchor(), false);
        yield return ("ProxyNca", () => new ProxyNca(), false);
    }

    private static Quick.Measurement Once(ILoss loss, int n, int c, bool classWeights)
    {
        using var scope = NewDisposeScope();
        manual_seed(n + c);
        var z = randn(n, Quick.D).requires_grad_(true);
        var table = (classWeights ? randn(Quick.D, c) : randn(c, Quick.D)).requires_grad_(true);
        var y = randint(c, new long[] { n }, dtype: ScalarType.Int64);
        var inputs = new Dictionary<string, Tensor> { ["z"] = z, ["y"] = y, [classWeights ? "W" : "proxies"] = table };
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = Quick.Peak.Reset();
        var faults = Quick.Peak.MinorFaults();
        var clock = Stopwatch.StartNew();
        double value;
        using (var result = loss.Compute(inputs))
        {
            result.Total.backward();
            value = result.Total.item<float>();
        }
        clock.Stop();
        return new Quick.Measurement(clock.Elapsed.TotalSeconds, (Quick.Peak.Read() - before) / (1024.0 * 1024.0), value,
            (Quick.Peak.MinorFaults() - faults) * 4096.0 / (1024.0 * 1024.0));
    }
}
