using System;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace LossDsl.Examples.Distillation;

/// <summary>The 8×8 handwritten digits (UCI, CC BY 4.0; see examples/data/README.md): 64 pixels 0..16 and a label.</summary>
public sealed record Digits(Tensor Pixels, Tensor Labels)
{
    public long Count => Labels.shape[0];

    /// <summary>Reads the bundled gzipped CSV; pixels are scaled to [0, 1].</summary>
    public static Digits Load(string path)
    {
        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        var rows = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray())
            .ToArray();
        var pixels = rows.SelectMany(r => r.Take(64).Select(v => (float)(v / 16.0))).ToArray();
        var labels = rows.Select(r => (long)r[64]).ToArray();
        return new Digits(tensor(pixels, new long[] { rows.Length, 64 }), tensor(labels));
    }

    /// <summary>A fixed shuffled split: the same rows in every run.</summary>
    public (Digits Train, Digits Test) Split(double testFraction, int seed)
    {
        var order = Enumerable.Range(0, (int)Count).ToArray();
        new Random(seed).Shuffle(order);
        var testCount = (int)Math.Round(Count * testFraction);
        Digits Take(int[] rows)
        {
            var index = tensor(rows.Select(i => (long)i).ToArray());
            return new Digits(Pixels.index_select(0, index), Labels.index_select(0, index));
        }
        return (Take(order[testCount..]), Take(order[..testCount]));
    }
}
