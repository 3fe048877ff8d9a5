using System;
using System.Collections.Generic;
using System.Linq;

namespace LossDsl.Bench;

/// <summary><c>ab</c>: on a shared machine, load changes between measurements; this mode alternates the engine
/// and the eager ports round by round (same process, so start it with <c>THP_MEM_ALLOC_ENABLE=1</c> for the
/// huge-page eager baseline) and reports each variant's best round and the ratio to the best eager variant.</summary>
internal static class AB
{
    public static int Run(string[] args)
    {
        var rounds = 3;
        var picks = new (string Loss, int Rows)[] { ("NT-Xent", 512), ("NT-Xent", 2048), ("NT-Xent", 16384), ("SupCon", 2048), ("SupCon", 16384), ("BatchHard", 8192), ("RKD-dist", 8192), ("RKD-angle", 512) };
        var filter = args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault();
        var thp = Environment.GetEnvironmentVariable("THP_MEM_ALLOC_ENABLE") == "1";
        Console.WriteLine($"# alternating rounds: {rounds}; THP_MEM_ALLOC_ENABLE={(thp ? "1" : "unset")}; best round per variant");
        Console.WriteLine("| loss | rows | engine (s) | eager naive (s) | eager careful (s) | best eager / engine |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var c in Quick.Cases().Where(c => picks.Contains((c.Loss, c.Rows)) && (filter is null || c.Loss == filter)))
        {
            var small = c with { Rows = 64 };
            Quick.Measure(small, c.Fused);
            Quick.Measure(small, c.Naive);
            if (c.Careful is not null) Quick.Measure(small, c.Careful);
            double engine = double.MaxValue, naive = double.MaxValue, careful = double.MaxValue;
            for (var r = 0; r < rounds; r++)
            {
                engine = Math.Min(engine, Quick.Measure(c, c.Fused).Seconds);
                naive = Math.Min(naive, Quick.Measure(c, c.Naive).Seconds);
                if (c.Careful is not null) careful = Math.Min(careful, Quick.Measure(c, c.Careful).Seconds);
            }
            var best = Math.Min(naive, careful);
            Console.WriteLine($"| {c.Loss} | {c.Rows} | {engine:F3} | {naive:F3} | {(c.Careful is null ? "–" : careful.ToString("F3"))} | {best / engine:F2}x |");
        }
        return 0;
    }
}
