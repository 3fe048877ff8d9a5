using System;
using System.Diagnostics;
using LossDsl.Runtime;
using LossDsl.Runtime.Kernels;
using LossDsl.Runtime.Kernels.Formulas;
using static TorchSharp.torch;

namespace LossDsl.Bench;

/// <summary><c>small [rows]</c>: NT-Xent through the bridge at a small batch, split into its steps (best of 20).</summary>
internal static class Small
{
    public static int Run(string[] args)
    {
        var rows = args.Length > 0 ? int.Parse(args[0]) : 512;
        var z = randn(rows, Quick.D);
        var ids = arange(rows / 2, ScalarType.Int64);
        var y = cat(new[] { ids, ids });
        double norm = 1e9, lseT = 1e9, posT = 1e9, back = 1e9, total = 1e9;
        for (var rep = 0; rep < 20; rep++)
        {
            using var scope = NewDisposeScope();
            var leaf = z.detach().requires_grad_(true);
            var c = Stopwatch.StartNew();
            var zn = Ops.Normalize(leaf);
            var t0 = c.Elapsed.TotalSeconds;
            var lse = PairFunction<NtXentNegatives, DifferentLabel, LogSumExpReduce>.Apply(new NtXentNegatives(0.1), default, PairOutput.Rows, zn, null, PairMetric.Dot, new PairExtras { RowLabels = y });
            var t1 = c.Elapsed.TotalSeconds;
            var loss = PairFunction<NtXentPositives, ExcludeSelf<SameLabel>, SumReduce>.Apply(new NtXentPositives(0.1), default, PairOutput.Mean, zn, null, PairMetric.Dot, new PairExtras { RowLabels = y, R0 = lse });
            var t2 = c.Elapsed.TotalSeconds;
            loss.backward();
            var t3 = c.Elapsed.TotalSeconds;
            norm = Math.Min(norm, t0); lseT = Math.Min(lseT, t1 - t0); posT = Math.Min(posT, t2 - t1); back = Math.Min(back, t3 - t2); total = Math.Min(total, t3);
        }
        Console.WriteLine($"rows {rows}: normalize {norm * 1e3:F2} ms, lse forward {lseT * 1e3:F2} ms, positives forward {posT * 1e3:F2} ms, backward (both) {back * 1e3:F2} ms, total {total * 1e3:F2} ms");
        return 0;
    }
}
