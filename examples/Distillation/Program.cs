using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Examples;
using LossDsl.Examples.Distillation;
using LossDsl.Runtime;
using TorchSharp;
using static TorchSharp.torch;

// Trains a teacher MLP on the digits, then the same small student four ways: alone, with Hinton KD, with
// KD + RKD distance, and with KD + RKD + PKT. Every loss is a [Loss] class (Losses.cs) compiled by the generator.
const int Seed = 7;
const int Epochs = 25;
const int BatchSize = 64;

var run = ExampleRun.Start("Distillation", Seed);
var (train, test) = Digits.LoadBundled().Split(testFraction: 0.2, seed: Seed);
Console.WriteLine($"digits: {train.Count} train, {test.Count} test rows");

var teacher = new Mlp("teacher", hidden: 128);
var histories = new List<(string, LossHistory)>();
var accuracyCurves = new List<(string, IReadOnlyList<double>, IReadOnlyList<double>)>();
Train("teacher (128 hidden): CE", teacher, new StudentAlone(), teacherModel: null);
teacher.eval();

var results = new List<(string Name, double Accuracy)> { ("teacher (128 hidden)", teacher.Accuracy(test)) };
var students = new (string Name, ILoss Loss)[]
{
    ("student alone: CE", new StudentAlone()),
    ("student: CE + KD", new StudentKd()),
    ("student: CE + KD + RKD", new StudentKdRkd()),
    ("student: CE + KD + RKD + PKT", new StudentKdRkdPkt()),
};
foreach (var (name, loss) in students)
{
    torch.random.manual_seed(Seed + 1); // every student starts from the same weights
    var student = new Mlp("student", hidden: 16);
    Console.WriteLine($"\n{loss.Describe()}");
    Train(name + " (16 hidden)", student, loss, teacher);
    results.Add((name, student.Accuracy(test)));
}

Console.WriteLine($"\n== test accuracy ({test.Count} held-out digits)");
foreach (var (name, accuracy) in results) Console.WriteLine($"  {name,-30} {accuracy:P2}");
Console.WriteLine($"\n  {Plots.LossCurves(run.Output("loss-curves.png"), "Distillation: weighted terms per epoch", histories)}");
Console.WriteLine($"  {Plots.Lines(run.Output("accuracy.png"), "Distillation: test accuracy per epoch", "epoch", "test accuracy", accuracyCurves)}");
foreach (var (name, history) in histories)
    history.WriteCsv(run.Output("history-" + new string(name.Where(char.IsLetterOrDigit).ToArray()).ToLowerInvariant() + ".csv"));
Console.WriteLine($"  per-step histories: {run.Output("history-*.csv")}");
run.Finish();

// Mini-batch Adam; the view records every term and shows progress.
void Train(string name, Mlp model, ILoss loss, Mlp? teacherModel)
{
    var optimizer = torch.optim.Adam(model.parameters(), lr: 3e-3);
    var shuffle = new torch.Generator(Seed);
    var steps = (int)((train.Count + BatchSize - 1) / BatchSize);
    var epochs = new List<double>();
    var accuracies = new List<double>();
    var history = TrainingView.Run(name, Epochs, steps, view =>
    {
        for (var epoch = 1; epoch <= Epochs; epoch++)
        {
            var order = torch.randperm(train.Count, generator: shuffle);
            for (long start = 0; start < train.Count; start += BatchSize)
            {
                using var scope = torch.NewDisposeScope();
                var index = order.narrow(0, start, Math.Min(BatchSize, train.Count - start));
                var pixels = train.Pixels.index_select(0, index);
                var (features, logits) = model.forward(pixels);
                var inputs = new Dictionary<string, Tensor> { ["student"] = logits, ["y"] = train.Labels.index_select(0, index), ["studentFeatures"] = features };
                if (teacherModel is not null)
                    using (torch.no_grad())
                        (inputs["teacherFeatures"], inputs["teacher"]) = teacherModel.forward(pixels);

                optimizer.zero_grad();
                using var result = loss.Compute(loss.Inputs.ToDictionary(i => i.Name, i => inputs[i.Name]));
                result.Total.backward();
                optimizer.step();
                view.Step(result);
            }
            var accuracy = model.Accuracy(test);
            epochs.Add(epoch);
            accuracies.Add(accuracy);
            view.EndEpoch($"test accuracy {accuracy:P2}");
        }
    });
    histories.Add((name, history));
    accuracyCurves.Add((name, epochs, accuracies));
}
