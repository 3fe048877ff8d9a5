using System;
using System.Diagnostics;
using LossDsl.Runtime.Kernels;
using LossDsl.Runtime.Kernels.Formulas;

namespace LossDsl.Bench;

/// <summary><c>probe N</c>: the engine alone on arrays (forward log-sum-exp, then its backward), timed per pass.</summary>
internal static class Probe
{
    public static int Run(string[] args)
    {
        if (args.Length > 1) { Run(new[] { args[1] }); }
        var n = args.Length > 0 ? int.Parse(args[0]) : 4096;
        const int d = 128;
        var rng = new Random(1);
        var x = new float[n * d];
        for (var k = 0; k < x.Length; k++) x[k] = (float)(rng.NextDouble() - 0.5);
        var labels = new long[n];
        for (var i = 0; i < n; i++) labels[i] = i % (n / 2);
        var value = new double[n];
        var weight = new double[n];
        Array.Fill(weight, 1.0 / n);
        var dx = new float[n * d];
        for (var rep = 0; rep < 4; rep++)
        {
            var ops = PairOperands<float>.SelfRelation(x, n, d, PairMetric.Dot);
            ops.RowLabels = labels;
            var clock = Stopwatch.StartNew();
            PairEngine.Forward<float, NtXentNegatives, DifferentLabel, LogSumExpReduce>(ops, new NtXentNegatives(0.1), default, new PairRows { Value = value });
            var forward = clock.Elapsed.TotalSeconds;
            clock.Restart();
            PairEngine.Backward<float, NtXentNegatives, DifferentLabel, LogSumExpReduce>(ops, new NtXentNegatives(0.1), default, value, default, weight, new PairGradients<float> { DX = dx });
            var backward = clock.Elapsed.TotalSeconds;
            var flop = 2.0 * n * n * d;
            Console.WriteLine($"N = {n}: forward {forward:F3} s ({flop / forward / 1e9:F0} GFLOP/s), backward {backward:F3} s ({3 * flop / backward / 1e9:F0} GFLOP/s of 3 products)");
        }
        return 0;
    }
}
