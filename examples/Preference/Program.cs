using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Examples;
using LossDsl.Examples.Preference;
using LossDsl.Runtime;
using LossDsl.Zoo;
using TorchSharp;
using static TorchSharp.torch;

// A policy over a discrete output space — the ten digits, given an image — tuned from preference pairs with the
// zoo's DPO losses. The reference is a briefly trained classifier; for each image the pair prefers the true digit
// (chosen) over the digit the reference finds most likely among the wrong ones (rejected: the confusable one).
// Each policy starts as a copy of the reference, which stays frozen. Reported per loss type, on the test images'
// pairs: the implicit rewards β·(log π − log π_ref) of chosen and rejected, their margin, the share of pairs
// with a positive margin, and the policy's plain classification accuracy.
const int Seed = 3;
const int ReferenceEpochs = 2;
const int Epochs = 15;
const int BatchSize = 64;
const double Beta = 0.1;

var run = ExampleRun.Start("Preference", Seed);
var (train, test) = Digits.LoadBundled().Split(testFraction: 0.2, seed: Seed);
Console.WriteLine($"digits: {train.Count} train, {test.Count} test rows");

// 1. The reference: a small classifier after two epochs of cross-entropy.
var reference = new Mlp("policy", hidden: 32);
var shuffle = new torch.Generator(Seed);
var adam = torch.optim.Adam(reference.parameters(), lr: 3e-3);
var sft = new Supervised();
var histories = new List<(string, LossHistory)>
{
    ("reference: CE, 2 epochs", TrainingView.Run("reference policy: cross-entropy", ReferenceEpochs, Batches(train.Count), view =>
    {
        for (var epoch = 1; epoch <= ReferenceEpochs; epoch++)
        {
            foreach (var index in Shuffled(train.Count, shuffle))
            {
                using var scope = torch.NewDisposeScope();
                adam.zero_grad();
                using var result = sft.Compute(reference.forward(train.Pixels.index_select(0, index)).Logits, train.Labels.index_select(0, index));
                result.Total.backward();
                adam.step();
                view.Step(result);
            }
            view.EndEpoch($"test accuracy {reference.Accuracy(test):P2}");
        }
    })),
};
reference.eval();

// 2. Preference pairs: (image, chosen = true digit, rejected = the reference's favourite wrong digit).
var trainRejected = Confusable(reference, train);
var testRejected = Confusable(reference, test);
Console.WriteLine($"pairs: {train.Count} train, {test.Count} test; e.g. the first test image, a {test.Labels[0].item<long>()}: rejected {testRejected[0].item<long>()}");

var referenceMetrics = Evaluate(reference, test, testRejected);
var results = new List<(string Name, Metrics Metrics)>();
var curves = new List<(string, IReadOnlyList<double>, IReadOnlyList<double>)>();
foreach (var (name, loss) in new (string, ILoss)[]
         {
             ("DPO sigmoid", new DpoSigmoid { Beta = Beta }),
             ("DPO hinge", new DpoHinge { Beta = Beta }),
             ("IPO", new DpoIpo { Beta = Beta }),
         })
{
    var policy = new Mlp("policy", hidden: 32);
    reference.CopyTo(policy);
    var optimizer = torch.optim.Adam(policy.parameters(), lr: 1e-3);
    Console.WriteLine($"\n{loss.Describe()}");
    var epochs = new List<double> { 0 };
    var accuracies = new List<double> { referenceMetrics.PreferenceAccuracy };
    var classification = new List<double> { referenceMetrics.Accuracy };
    var history = TrainingView.Run($"{name} (β {Beta})", Epochs, Batches(train.Count), view =>
    {
        for (var epoch = 1; epoch <= Epochs; epoch++)
        {
            foreach (var index in Shuffled(train.Count, shuffle))
            {
                using var scope = torch.NewDisposeScope();
                var pixels = train.Pixels.index_select(0, index);
                var chosen = train.Labels.index_select(0, index);
                var rejected = trainRejected.index_select(0, index);
                var logp = nn.functional.log_softmax(policy.forward(pixels).Logits, 1);
                Tensor refLogp;
                using (torch.no_grad()) refLogp = nn.functional.log_softmax(reference.forward(pixels).Logits, 1);
                optimizer.zero_grad();
                using var result = loss.Compute(new Dictionary<string, Tensor>
                {
                    ["chosen"] = Pick(logp, chosen), ["rejected"] = Pick(logp, rejected),
                    ["refChosen"] = Pick(refLogp, chosen), ["refRejected"] = Pick(refLogp, rejected),
                });
                result.Total.backward();
                optimizer.step();
                view.Step(result);
            }
            var metrics = Evaluate(policy, test, testRejected);
            epochs.Add(epoch);
            accuracies.Add(metrics.PreferenceAccuracy);
            classification.Add(metrics.Accuracy);
            view.EndEpoch($"test margin {metrics.Margin:F3}, preference accuracy {metrics.PreferenceAccuracy:P1}, classification accuracy {metrics.Accuracy:P1}");
        }
    });
    histories.Add((name, history));
    curves.Add(($"{name}: preference accuracy", epochs, accuracies));
    curves.Add(($"{name}: classification accuracy", epochs, classification));
    results.Add((name, Evaluate(policy, test, testRejected)));
}

Console.WriteLine($"\n== test pairs ({test.Count}): implicit rewards β·(log π − log π_ref), β = {Beta}");
Console.WriteLine($"  {"policy",-12} {"chosen",9} {"rejected",9} {"margin",8} {"pref. acc.",10} {"class. acc.",11}");
Console.WriteLine($"  {"reference",-12} {0.0,9:F3} {0.0,9:F3} {0.0,8:F3} {referenceMetrics.PreferenceAccuracy,10:P1} {referenceMetrics.Accuracy,11:P1}");
foreach (var (name, m) in results)
    Console.WriteLine($"  {name,-12} {m.ChosenReward,9:F3} {m.RejectedReward,9:F3} {m.Margin,8:F3} {m.PreferenceAccuracy,10:P1} {m.Accuracy,11:P1}");
Console.WriteLine("  (pref. acc.: share of pairs whose chosen digit the policy now finds likelier than the rejected one)");
Console.WriteLine($"\n  {Plots.Lines(run.Output("accuracy.png"), "Preference: test preference accuracy (chosen likelier than rejected) and classification accuracy", "epoch", "accuracy on the test images", curves)}");
Console.WriteLine($"  {Plots.LossCurves(run.Output("loss-curves.png"), "Preference: loss per epoch", histories)}");
run.Finish();

int Batches(long count) => (int)((count + BatchSize - 1) / BatchSize);

IEnumerable<Tensor> Shuffled(long count, torch.Generator generator)
{
    var order = torch.randperm(count, generator: generator);
    for (long start = 0; start < count; start += BatchSize)
        yield return order.narrow(0, start, Math.Min(BatchSize, count - start));
}

// The wrong digit the model finds most likely for each image.
static Tensor Confusable(Mlp model, Digits data)
{
    using var _ = torch.no_grad();
    var logits = model.forward(data.Pixels).Logits;
    var wrongOnly = Scalars.Fill(logits, nn.functional.one_hot(data.Labels, 10).to_type(ScalarType.Bool), double.NegativeInfinity);
    return wrongOnly.argmax(1);
}

static Tensor Pick(Tensor logp, Tensor digits) => logp.gather(1, digits.unsqueeze(1)).squeeze(1);

Metrics Evaluate(Mlp policy, Digits data, Tensor rejected)
{
    using var _ = torch.no_grad();
    using var scope = torch.NewDisposeScope();
    var logp = nn.functional.log_softmax(policy.forward(data.Pixels).Logits, 1);
    var refLogp = nn.functional.log_softmax(reference.forward(data.Pixels).Logits, 1);
    var chosenReward = Scalars.Mul(Scalars.Sub(Pick(logp, data.Labels), Pick(refLogp, data.Labels)), Beta);
    var rejectedReward = Scalars.Mul(Scalars.Sub(Pick(logp, rejected), Pick(refLogp, rejected)), Beta);
    var preferred = Scalars.Gt(Scalars.Sub(Pick(logp, data.Labels), Pick(logp, rejected)), 0.0);
    return new Metrics(
        chosenReward.mean().item<float>(), rejectedReward.mean().item<float>(),
        Scalars.Sub(chosenReward, rejectedReward).mean().item<float>(),
        preferred.to_type(ScalarType.Float64).mean().item<double>(),
        policy.Accuracy(data));
}

record Metrics(double ChosenReward, double RejectedReward, double Margin, double PreferenceAccuracy, double Accuracy);
