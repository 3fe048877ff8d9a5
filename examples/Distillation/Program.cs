using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using LossDsl.Examples.Distillation;
using LossDsl.Runtime;
using TorchSharp;
using static TorchSharp.torch;

// Trains a teacher MLP on the digits, then the same small student three ways: alone, with Hinton KD,
// and with KD + RKD distance. Every loss is a [Loss] class (Losses.cs) compiled by the LossDsl generator.
const int Seed = 7;
const int Epochs = 25;
const int BatchSize = 64;

var clock = Stopwatch.StartNew();
var data = Digits.Load(Path.Combine(AppContext.BaseDirectory, "data", "digits.csv.gz"));
var (train, test) = data.Split(testFraction: 0.2, seed: Seed);
Console.WriteLine($"digits: {train.Count} train, {test.Count} test rows");

torch.random.manual_seed(Seed);
var teacher = new Mlp("teacher", hidden: 128);
Console.WriteLine("\n== teacher (128 hidden units): cross-entropy");
Train(teacher, new StudentAlone(), train, outputs => new() { ["student"] = outputs.Student.Logits, ["y"] = outputs.Labels }, teacherModel: null);
teacher.eval();

var results = new List<(string Name, double Accuracy)> { ("teacher (128 hidden)", teacher.Accuracy(test)) };
var students = new (string Name, ILoss Loss)[]
{
    ("student alone: CE", new StudentAlone()),
    ("student: CE + KD", new StudentKd()),
    ("student: CE + KD + RKD", new StudentKdRkd()),
};
foreach (var (name, loss) in students)
{
    torch.random.manual_seed(Seed + 1); // every student starts from the same weights
    var student = new Mlp("student", hidden: 16);
    Console.WriteLine($"\n== {name} (16 hidden units)\n{loss.Describe()}");
    Train(student, loss, train, outputs => new()
    {
        ["student"] = outputs.Student.Logits,
        ["y"] = outputs.Labels,
        ["teacher"] = outputs.Teacher!.Value.Logits,
        ["studentFeatures"] = outputs.Student.Features,
        ["teacherFeatures"] = outputs.Teacher!.Value.Features,
    }, teacher);
    results.Add((name, student.Accuracy(test)));
}

Console.WriteLine($"\n== test accuracy ({test.Count} held-out digits)");
foreach (var (name, accuracy) in results) Console.WriteLine($"  {name,-26} {accuracy:P2}");
Console.WriteLine($"\ntotal time {clock.Elapsed.TotalSeconds:F1} s");

// Mini-batch Adam; prints each term's mean raw value per epoch.
static void Train(Mlp model, ILoss loss, Digits train,
    Func<(
        (Tensor Features, Tensor Logits) Student,
        (Tensor Features, Tensor Logits)? Teacher,
        Tensor Labels) , Dictionary<string, Tensor>> inputsOf,
    Mlp? teacherModel)
{
    var optimizer = torch.optim.Adam(model.parameters(), lr: 3e-3);
    var shuffle = new torch.Generator(Seed);
    for (var epoch = 1; epoch <= Epochs; epoch++)
    {
        var sums = new Dictionary<string, double>();
        var batches = 0;
        var order = torch.randperm(train.Count, generator: shuffle);
        for (long start = 0; start < train.Count; start += BatchSize)
        {
            using var scope = torch.NewDisposeScope();
            var index = order.narrow(0, start, Math.Min(BatchSize, train.Count - start));
            var pixels = train.Pixels.index_select(0, index);
            var labels = train.Labels.index_select(0, index);
            (Tensor, Tensor)? teacherOut = null;
            if (teacherModel is not null)
                using (torch.no_grad()) teacherOut = teacherModel.forward(pixels);
            var inputs = inputsOf((model.forward(pixels), teacherOut, labels));
            var needed = loss.Inputs.ToDictionary(i => i.Name, i => inputs[i.Name]);

            optimizer.zero_grad();
            using var result = loss.Compute(needed);
            result.Total.backward();
            optimizer.step();

            foreach (var term in result.Terms)
                sums[term.Name] = sums.GetValueOrDefault(term.Name) + term.Raw.item<float>();
            sums["total"] = sums.GetValueOrDefault("total") + result.Total.item<float>();
            batches++;
        }
        if (epoch == 1 || epoch % 5 == 0)
            Console.WriteLine($"  epoch {epoch,2}: " + string.Join("  ", sums.Select(kv => $"{kv.Key} {kv.Value / batches:F4}")));
    }
}
