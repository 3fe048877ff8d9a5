using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using LossDsl.Build;
using TorchSharp;
using static TorchSharp.torch;

namespace LossDsl.Tests.Native;

// Proves the native TorchSharp backend loads and computes correctly. On Debian 12 / Ubuntu 22.04
// this needs the build step in src/Runtime/build (GLIBCXX_3.4.32 marked weak in the output copy).
public class TorchSharpLoadsTests
{
    static readonly double[,] X = { { 1, 2, -1 }, { 0.5, -2, 3 } };
    static readonly double[,] W = { { 0.1, -0.2 }, { 0.3, 0.4 }, { -0.5, 0.6 } };
    static readonly int[] Targets = { 0, 1 };

    [Fact]
    public void MatmulLogSoftmaxBackward_MatchesHandComputedFloat64()
    {
        using var x = tensor(X.Cast<double>().ToArray(), new long[] { 2, 3 }, ScalarType.Float64);
        using var w = tensor(W.Cast<double>().ToArray(), new long[] { 3, 2 }, ScalarType.Float64, requires_grad: true);
        using var oneHot = tensor(new double[] { 1, 0, 0, 1 }, new long[] { 2, 2 }, ScalarType.Float64);

        using var logits = matmul(x, w);
        using var logProbs = nn.functional.log_softmax(logits, 1);
        using var loss = -(logProbs * oneHot).sum();
        loss.backward();

        // Reference by hand: z = XW, log p = z - logsumexp(z), loss = -sum log p[target],
        // dL/dW = X^T (softmax(z) - onehot).
        var z = new double[2, 2];
        var p = new double[2, 2];
        double expectedLoss = 0;
        for (int i = 0; i < 2; i++)
        {
            for (int j = 0; j < 2; j++)
                for (int k = 0; k < 3; k++)
                    z[i, j] += X[i, k] * W[k, j];
            double lse = Math.Log(Math.Exp(z[i, 0]) + Math.Exp(z[i, 1]));
            for (int j = 0; j < 2; j++) p[i, j] = Math.Exp(z[i, j] - lse);
            expectedLoss -= z[i, Targets[i]] - lse;
        }
        // Row 0: z = (0.1+0.6+0.5, -0.2+0.8-0.6) = (1.2, 0); spot-check the reference itself.
        Assert.Equal(1.2, z[0, 0], 12);
        Assert.Equal(0.0, z[0, 1], 12);

        Assert.Equal(ScalarType.Float64, logProbs.dtype);
        Assert.Equal(expectedLoss, loss.item<double>(), 12);
        double[] lp = logProbs.data<double>().ToArray();
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++)
                Assert.Equal(Math.Log(p[i, j]), lp[i * 2 + j], 12);

        double[] grad = w.grad!.data<double>().ToArray();
        for (int k = 0; k < 3; k++)
            for (int j = 0; j < 2; j++)
            {
                double expected = 0;
                for (int i = 0; i < 2; i++) expected += X[i, k] * (p[i, j] - (Targets[i] == j ? 1 : 0));
                Assert.Equal(expected, grad[k * 2 + j], 12);
            }
    }

    // The library the process actually mapped must be the build output's copy, and (where the
    // system libstdc++ lacks GLIBCXX_3.4.32) the patched one.
    [Fact]
    public void LoadedLibTorchSharp_IsTheOutputCopy()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux)) return;
        using (var t = ones(1)) Assert.Equal(1.0f, t.item<float>());

        string? mapped = File.ReadLines("/proc/self/maps")
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length >= 6 && f[5].EndsWith("/libLibTorchSharp.so", StringComparison.Ordinal))
            .Select(f => f[5])
            .FirstOrDefault();
        Assert.NotNull(mapped);
        Assert.StartsWith(AppContext.BaseDirectory, mapped);

        string? libstdcxx = ElfVersionPatcher.FindSystemLibStdCxx();
        if (libstdcxx != null && !ElfVersionPatcher.DefinesVersion(libstdcxx, "GLIBCXX_3.4.32"))
        {
            byte[] elf = File.ReadAllBytes(mapped!);
            int flagsAt = ElfVersionPatcher.FindVernauxFlags(elf, "GLIBCXX_3.4.32", out _);
            Assert.True(flagsAt > 0);
            Assert.Equal(ElfVersionPatcher.VerFlgWeak, elf[flagsAt] & ElfVersionPatcher.VerFlgWeak);
        }
    }
}
