using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Examples;
using LossDsl.Runtime;
using LossDsl.Examples.Contrastive;
using LossDsl.Zoo;
using TorchSharp;
using static TorchSharp.torch;

// One embedding network (64 → 128 → 32), trained three ways from the same initial weights:
//   SupCon on two augmented views of each image (labels say which rows are positives),
//   NT-Xent (SimCLR) on two augmented views, without labels (each image's other view is its only positive),
//   cross-entropy with a linear head (the usual supervised baseline; its 32-d features are the embedding).
// Each is judged by k-NN accuracy on the test split (k = 5, cosine, the training split's embeddings as the
// memory); the test embeddings are projected to 2-D (PCA) and plotted coloured by digit.
const int Seed = 11;
const int Epochs = 40;
const int BatchSize = 128;
const int K = 5;

var run = ExampleRun.Start("Contrastive", Seed);
var (train, test) = Digits.LoadBundled().Split(testFraction: 0.2, seed: Seed);
Console.WriteLine($"digits: {train.Count} train, {test.Count} test rows");

var methods = new (string Name, ILoss Loss, bool UsesLabels)[]
{
    ("SupCon (τ 0.1), labels", new SupCon { Temperature = 0.1 }, true),
    ("NT-Xent (τ 0.2), no labels", new NtXent { Temperature = 0.2 }, false),
    ("cross-entropy, labels", new CrossEntropyHead(), true),
};
var histories = new List<(string, LossHistory)>();
var curves = new List<(string, IReadOnlyList<double>, IReadOnlyList<double>)>();
var panels = new List<(string, float[,], long[])>();
var results = new List<(string Name, double Knn, double Seconds)>();
foreach (var (name, loss, usesLabels) in methods)
{
    torch.random.manual_seed(Seed + 1); // the same initial weights for every method
    var net = new Mlp("embedder", hidden: 128, features: 32, reluFeatures: false);
    Console.WriteLine($"\n{loss.Describe()}");
    var started = run.Elapsed;
    var (history, epochs, knn) = Train(name, net, loss);
    var seconds = (run.Elapsed - started).TotalSeconds;
    histories.Add((name, history));
    curves.Add((name, epochs, knn));
    results.Add((name, knn[^1], seconds));
    panels.Add((name, Project2D(net.Features(test.Pixels)), test.Labels.data<long>().ToArray()));
}

Console.WriteLine($"\n== {K}-NN accuracy on the test split ({test.Count} digits; memory: the {train.Count} training digits)");
Console.WriteLine($"  {"raw pixels (no network)",-28} {KnnAccuracyOf(train.Pixels, test.Pixels):P2}");
foreach (var (name, knn, seconds) in results) Console.WriteLine($"  {name,-28} {knn:P2}   ({seconds:F1} s of training)");
Console.WriteLine($"\n  {Plots.Embeddings(run.Output("embeddings.png"), "test embeddings, PCA", panels)}");
Console.WriteLine($"  {Plots.LossCurves(run.Output("loss-curves.png"), "Contrastive: loss per epoch", histories)}");
Console.WriteLine($"  {Plots.Lines(run.Output("knn-accuracy.png"), $"Contrastive: {K}-NN test accuracy per epoch", "epoch", $"{K}-NN accuracy", curves)}");
run.Finish();

(LossHistory, List<double>, List<double>) Train(string name, Mlp net, ILoss loss)
{
    var optimizer = torch.optim.Adam(net.parameters(), lr: 2e-3);
    var generator = new torch.Generator(Seed);
    var steps = (int)((train.Count + BatchSize - 1) / BatchSize);
    var epochs = new List<double>();
    var knn = new List<double>();
    var contrastive = loss is not CrossEntropyHead;
    var history = TrainingView.Run(name, Epochs, steps, view =>
    {
        for (var epoch = 1; epoch <= Epochs; epoch++)
        {
            var order = torch.randperm(train.Count, generator: generator);
            for (long start = 0; start < train.Count; start += BatchSize)
            {
                using var scope = torch.NewDisposeScope();
                var index = order.narrow(0, start, Math.Min(BatchSize, train.Count - start));
                var pixels = train.Pixels.index_select(0, index);
                var labels = train.Labels.index_select(0, index);
                optimizer.zero_grad();
                LossResult result;
                if (contrastive)
                {
                    // Two views of every image, stacked: rows i and i + n are the same digit image.
                    var views = cat(new[] { Digits.Augment(pixels, generator), Digits.Augment(pixels, generator) }, 0);
                    var z = net.forward(views).Features;
                    var y = loss is SupCon ? cat(new[] { labels, labels }, 0) : arange(index.shape[0]).repeat(2);
                    result = loss.Compute(new Dictionary<string, Tensor> { ["z"] = z, ["y"] = y });
                }
                else
                {
                    result = loss.Compute(new Dictionary<string, Tensor> { ["logits"] = net.forward(Digits.Augment(pixels, generator)).Logits, ["y"] = labels });
                }
                using (result)
                {
                    result.Total.backward();
                    optimizer.step();
                    view.Step(result);
                }
            }
            if (epoch % 5 == 0 || epoch == 1)
            {
                epochs.Add(epoch);
                knn.Add(KnnAccuracy(net));
                view.EndEpoch($"{K}-NN test accuracy {knn[^1]:P2}");
            }
            else view.EndEpoch();
        }
    });
    return (history, epochs, knn);
}

// k-NN with cosine similarity: each test digit takes the majority label of its K most similar training digits.
double KnnAccuracy(Mlp net) => KnnAccuracyOf(net.Features(train.Pixels), net.Features(test.Pixels));

double KnnAccuracyOf(Tensor trainEmbeddings, Tensor testEmbeddings)
{
    using var scope = torch.NewDisposeScope();
    var memory = nn.functional.normalize(trainEmbeddings, dim: 1);
    var queries = nn.functional.normalize(testEmbeddings, dim: 1);
    var nearest = queries.matmul(memory.t()).topk(K, dim: 1).indexes;
    var votes = train.Labels.index_select(0, nearest.flatten()).reshape(nearest.shape);
    var predicted = votes.mode(dim: 1).values;
    return predicted.eq(test.Labels).to_type(ScalarType.Float64).mean().item<double>();
}

// The first two principal components.
static float[,] Project2D(Tensor embeddings)
{
    using var scope = torch.NewDisposeScope();
    var centred = Scalars.Sub(embeddings, embeddings.mean(new long[] { 0 }, keepdim: true));
    var (_, _, vh) = torch.linalg.svd(centred, fullMatrices: false);
    var projected = centred.matmul(vh.narrow(0, 0, 2).t()).contiguous();
    var values = projected.data<float>().ToArray();
    var points = new float[projected.shape[0], 2];
    for (var i = 0; i < points.GetLength(0); i++) { points[i, 0] = values[2 * i]; points[i, 1] = values[2 * i + 1]; }
    return points;
}
