using System;
using System.Collections.Generic;
using System.Linq;

namespace LossDsl.Bench;

/// <summary><c>small-ab [LOSS] [rows] [rounds] [variant,variant,...]</c> (variants by name, e.g. <c>unfused,careful</c>;
/// default all): at a small batch a step takes a few milliseconds, less than the
/// load of other tenants moves it, so the quick table's best of five decides little. This mode alternates the
/// generated loss (default policy, and unfused) with the eager ports round by round in one process and reports each
/// variant's best and median and the ratios to the careful port (start it with <c>THP_MEM_ALLOC_ENABLE=1</c> for the
/// huge-page baseline).</summary>
internal static class SmallAB
{
    public static int Run(string[] args)
    {
        var loss = args.Length > 0 ? args[0] : "NT-Xent";
        var rows = args.Length > 1 ? int.Parse(args[1]) : 512;
        var rounds = args.Length > 2 ? int.Parse(args[2]) : 100;
        var c = Quick.Cases().First(k => k.Loss == loss && k.Rows >= rows) with { Rows = rows };
        var variants = new List<(string Name, Func<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> Loss)>
        {
            ("generated default", Generated.Default(loss)!),
            ("generated unfused", Generated.For(loss, fused: false)!),
            ("engine", c.Fused),
            ("eager naive", c.Naive),
        };
        if (c.Careful is not null) variants.Add(("eager careful", c.Careful));
        if (args.Length > 3)
        {
            var wanted = args[3].Split(',');
            variants = variants.Where(v => wanted.Any(w => v.Name.Contains(w, StringComparison.Ordinal))).ToList();
        }
        var times = variants.Select(_ => new List<double>()).ToArray();
        var faulted = variants.Select(_ => new List<double>()).ToArray();
        for (var r = 0; r < rounds + 3; r++)
            for (var v = 0; v < variants.Count; v++)
            {
                var m = Quick.Once(c, variants[v].Loss);
                if (r >= 3) { times[v].Add(m.Seconds); faulted[v].Add(m.FaultedMiB); }   // the first rounds warm the JIT and the allocator
            }
        var reference = variants.Count - 1;   // the careful port where it runs (else the last variant named)
        double Median(List<double> t) { var s = t.OrderBy(x => x).ToList(); return s[s.Count / 2]; }
        Console.WriteLine($"# {loss}, {rows} rows, {rounds} alternating rounds; THP_MEM_ALLOC_ENABLE={Environment.GetEnvironmentVariable("THP_MEM_ALLOC_ENABLE") ?? "unset"}");
        Console.WriteLine($"| variant | best (ms) | median (ms) | best / {variants[reference].Name} | median / {variants[reference].Name} | faulted MiB (median) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        for (var v = 0; v < variants.Count; v++)
            Console.WriteLine($"| {variants[v].Name} | {times[v].Min() * 1e3:F3} | {Median(times[v]) * 1e3:F3} | " +
                              $"{times[v].Min() / times[reference].Min():F2}x | {Median(times[v]) / Median(times[reference]):F2}x | {Median(faulted[v]):F0} |");
        return 0;
    }
}
