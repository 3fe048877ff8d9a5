using System;
using System.Globalization;
using static TorchSharp.torch;

namespace LossDsl.Bench;

/// <summary><c>unfused-peak LOSS ROWS</c>: where a generated loss's unfused path holds its memory — the peak-RSS rise
/// of the forward (Compute), what stays resident after it (autograd's saved tensors), and the peak rise of the
/// backward; float32, D = 128, two views of ROWS/2 samples.</summary>
internal static class UnfusedPeak
{
    public static int Run(string[] args)
    {
        var loss = args.Length > 0 ? args[0] : "NT-Xent";
        var rows = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 8192;
        var compute = Generated.For(loss, fused: false) ?? throw new ArgumentException($"no generated loss '{loss}'");
        using var scope = NewDisposeScope();
        var z = randn(rows, 128, generator: manual_seed(1)).requires_grad_();
        var y = cat(new[] { arange(rows / 2), arange(rows / 2) });
        compute(z[..64], y[..64]).backward(); // loads libtorch's kernels outside the measurement
        z.grad?.zero_();
        const double MiB = 1 << 20;
        var baseline = Quick.Peak.Reset();
        var total = compute(z, y);
        var forwardPeak = (Quick.Peak.Read() - baseline) / MiB;
        var resident = Quick.Peak.Reset();
        total.backward();
        var backwardPeak = (Quick.Peak.Read() - resident) / MiB;
        Console.WriteLine($"{loss} unfused, {rows} rows (one N×N float32 = {rows * (double)rows * 4 / MiB:F0} MiB): " +
                          $"forward peak +{forwardPeak:F0} MiB, resident after forward +{(resident - baseline) / MiB:F0} MiB, " +
                          $"backward peak +{backwardPeak:F0} MiB over that (+{(resident - baseline) / MiB + backwardPeak:F0} MiB total); loss {total.item<float>()}");
        return 0;
    }
}
