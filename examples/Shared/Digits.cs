using System;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using LossDsl.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace LossDsl.Examples;

/// <summary>The 8×8 handwritten digits (UCI, CC BY 4.0; see examples/data/README.md): 64 pixels 0..16 and a label.</summary>
public sealed record Digits(Tensor Pixels, Tensor Labels)
{
    public long Count => Labels.shape[0];

    /// <summary>The bundled copy, next to the example's binaries.</summary>
    public static Digits LoadBundled() => Load(Path.Combine(AppContext.BaseDirectory, "data", "digits.csv.gz"));

    /// <summary>Reads the gzipped CSV; pixels are scaled to [0, 1].</summary>
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
        return (Rows(order[testCount..]), Rows(order[..testCount]));
    }

    /// <summary>The rows at <paramref name="rows"/>.</summary>
    public Digits Rows(long[] rows)
    {
        var index = tensor(rows);
        return new Digits(Pixels.index_select(0, index), Labels.index_select(0, index));
    }

    private Digits Rows(int[] rows) => Rows(rows.Select(i => (long)i).ToArray());

    /// <summary>The rows whose label is (or is not, with <paramref name="equal"/> false) <paramref name="label"/>.</summary>
    public Digits WhereLabel(long label, bool equal = true)
    {
        var labels = Labels.data<long>().ToArray();
        return Rows(Enumerable.Range(0, labels.Length).Where(i => (labels[i] == label) == equal).Select(i => (long)i).ToArray());
    }

    /// <summary>A random view of a batch of images (rows of 64 pixels): each image shifted by up to one pixel in
    /// each direction (zeros enter at the border) plus Gaussian noise of standard deviation <paramref name="noise"/>,
    /// clamped to [0, 1]. The two views of SimCLR-style contrastive learning.</summary>
    public static Tensor Augment(Tensor pixels, Generator generator, double noise = 0.1)
    {
        using var scope = NewDisposeScope();
        var n = pixels.shape[0];
        var images = pixels.reshape(n, 1, 8, 8);
        var padded = nn.functional.pad(images, new long[] { 1, 1, 1, 1 });
        var dx = randint(0, 3, new long[] { n }, generator: generator).data<long>().ToArray();
        var dy = randint(0, 3, new long[] { n }, generator: generator).data<long>().ToArray();
        var shifted = cat(Enumerable.Range(0, (int)n)
            .Select(i => padded[i].narrow(1, dy[i], 8).narrow(2, dx[i], 8).unsqueeze(0)).ToArray(), 0).reshape(n, 64);
        var noisy = Scalars.Add(shifted, Scalars.Mul(randn(new long[] { n, 64 }, generator: generator), noise));
        return Scalars.Clamp(noisy, 0.0, 1.0).MoveToOuterDisposeScope();
    }
}
