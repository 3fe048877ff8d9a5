using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Examples;
using LossDsl.Examples.Unlearning;
using LossDsl.Runtime;
using TorchSharp;
using static TorchSharp.torch;

// Trains a digit classifier, then makes copies of it forget one digit two ways:
//   gradient ascent on the forget digit's training images (the baseline);
//   NPO on them, against the frozen original, plus cross-entropy on the other digits (the retain term).
// Prints the forget-digit and retain-digit test accuracy before and after each, per epoch of unlearning.
const int Seed = 5;
const long ForgetDigit = 3;
const int TrainEpochs = 20;
const int UnlearnEpochs = 10;
const int BatchSize = 64;
const int ForgetBatch = 32;

var run = ExampleRun.Start("Unlearning", Seed);
var (train, test) = Digits.LoadBundled().Split(testFraction: 0.2, seed: Seed);
var (forgetTrain, retainTrain) = (train.WhereLabel(ForgetDigit), train.WhereLabel(ForgetDigit, equal: false));
var (forgetTest, retainTest) = (test.WhereLabel(ForgetDigit), test.WhereLabel(ForgetDigit, equal: false));
Console.WriteLine($"digits: {train.Count} train, {test.Count} test rows; forget the digit {ForgetDigit}: " +
                  $"{forgetTrain.Count} training and {forgetTest.Count} test images");

var histories = new List<(string, LossHistory)>();
var curves = new List<(string, IReadOnlyList<double>, IReadOnlyList<double>)>();

// 1. The original classifier.
var original = new Mlp("classifier", hidden: 128);
var classify = new Classify();
var shuffle = new torch.Generator(Seed);
var adam = torch.optim.Adam(original.parameters(), lr: 3e-3);
histories.Add(("original: CE on all digits", TrainingView.Run("original classifier: cross-entropy", TrainEpochs, Batches(train.Count, BatchSize), view =>
{
    for (var epoch = 1; epoch <= TrainEpochs; epoch++)
    {
        foreach (var index in Shuffled(train.Count, BatchSize, shuffle))
        {
            using var scope = torch.NewDisposeScope();
            adam.zero_grad();
            using var result = classify.Compute(original.forward(train.Pixels.index_select(0, index)).Logits, train.Labels.index_select(0, index));
            result.Total.backward();
            adam.step();
            view.Step(result);
        }
        view.EndEpoch($"test accuracy {original.Accuracy(test):P2}");
    }
})));
original.eval();
var before = (Forget: original.Accuracy(forgetTest), Retain: original.Accuracy(retainTest));

// 2. Two copies unlearn the digit.
var results = new List<(string Name, double Forget, double Retain)>();
foreach (var method in new[] { "gradient ascent", "NPO + retain" })
{
    var model = new Mlp("classifier", hidden: 128);
    original.CopyTo(model);
    var optimizer = torch.optim.Adam(model.parameters(), lr: 1e-3);
    ILoss loss = method == "gradient ascent" ? new GradientAscent() : new NpoWithRetain { Beta = 0.5 };
    Console.WriteLine($"\n{loss.Describe()}");
    var epochs = new List<double> { 0 };
    var forgetCurve = new List<double> { before.Forget };
    var retainCurve = new List<double> { before.Retain };
    var history = TrainingView.Run($"unlearning the digit {ForgetDigit}: {method}", UnlearnEpochs, Batches(forgetTrain.Count, ForgetBatch), view =>
    {
        for (var epoch = 1; epoch <= UnlearnEpochs; epoch++)
        {
            foreach (var index in Shuffled(forgetTrain.Count, ForgetBatch, shuffle))
            {
                using var scope = torch.NewDisposeScope();
                var pixels = forgetTrain.Pixels.index_select(0, index);
                var labels = forgetTrain.Labels.index_select(0, index);
                var logits = model.forward(pixels).Logits;
                var inputs = new Dictionary<string, Tensor> { ["forgetLogits"] = logits, ["forgetY"] = labels };
                if (loss is NpoWithRetain)
                {
                    inputs["policy"] = LabelLogProb(logits, labels);
                    using (torch.no_grad()) inputs["reference"] = LabelLogProb(original.forward(pixels).Logits, labels);
                    // As many retain images as forget images: a loss's inputs share one batch size N.
                    var retain = torch.randint(0, retainTrain.Count, new long[] { index.shape[0] }, generator: shuffle);
                    inputs["retainLogits"] = model.forward(retainTrain.Pixels.index_select(0, retain)).Logits;
                    inputs["retainY"] = retainTrain.Labels.index_select(0, retain);
                }
                optimizer.zero_grad();
                using var result = loss.Compute(loss.Inputs.ToDictionary(i => i.Name, i => inputs[i.Name]));
                result.Total.backward();
                optimizer.step();
                view.Step(result);
            }
            epochs.Add(epoch);
            forgetCurve.Add(model.Accuracy(forgetTest));
            retainCurve.Add(model.Accuracy(retainTest));
            view.EndEpoch($"forget-digit accuracy {forgetCurve[^1]:P1}, retain accuracy {retainCurve[^1]:P1}");
        }
    });
    histories.Add((method, history));
    curves.Add(($"{method}: forget digit {ForgetDigit}", epochs, forgetCurve));
    curves.Add(($"{method}: other digits", epochs, retainCurve));
    results.Add((method, forgetCurve[^1], retainCurve[^1]));
}

Console.WriteLine($"\n== test accuracy ({forgetTest.Count} test images of the digit {ForgetDigit}, {retainTest.Count} of the others)");
Console.WriteLine($"  {"",-24} {"forget digit",12} {"other digits",12}");
Console.WriteLine($"  {"before",-24} {before.Forget,12:P1} {before.Retain,12:P1}");
foreach (var (name, forget, retain) in results) Console.WriteLine($"  {"after " + name,-24} {forget,12:P1} {retain,12:P1}");
Console.WriteLine($"\n  {Plots.Lines(run.Output("accuracy.png"), $"Unlearning the digit {ForgetDigit}: test accuracy per epoch of unlearning", "epoch", "test accuracy", curves)}");
Console.WriteLine($"  {Plots.LossCurves(run.Output("loss-curves.png"), "Unlearning: weighted terms per epoch", histories)}");
run.Finish();

static int Batches(long count, int size) => (int)((count + size - 1) / size);

static IEnumerable<Tensor> Shuffled(long count, int size, torch.Generator generator)
{
    var order = torch.randperm(count, generator: generator);
    for (long start = 0; start < count; start += size)
        yield return order.narrow(0, start, Math.Min(size, count - start));
}

// log p(label | image): the per-sample log-likelihood NPO compares between the model and the reference.
static Tensor LabelLogProb(Tensor logits, Tensor labels) =>
    torch.nn.functional.log_softmax(logits, 1).gather(1, labels.unsqueeze(1)).squeeze(1);
