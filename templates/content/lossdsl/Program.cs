using LossDsl.Runtime;
using LossDslApp;
using TorchSharp;
using static TorchSharp.torch;

// Loads libtorch now; if it cannot load, LossDsl's message says why (e.g. an old libstdc++) and what to do.
TorchNative.EnsureLoaded();
// One libtorch thread: on small or busy machines the default (one per core) is often 10x slower.
torch.set_num_threads(1);
torch.random.manual_seed(1);

// Data: 3 classes of 16-dimensional points around random centres, overlapping (replace with yours).
const int Classes = 3, Dim = 16, PerClass = 200;
// Numbers reach libtorch through LossDsl's Scalars (a temporary TorchSharp Scalar can be freed mid-call).
var centres = Scalars.Mul(randn(Classes, Dim), 0.6);
var labels = arange(Classes).repeat_interleave(PerClass);
var points = Scalars.Add(centres.index_select(0, labels), randn(Classes * PerClass, Dim));
var testLabels = arange(Classes).repeat_interleave(PerClass / 4);
var testPoints = Scalars.Add(centres.index_select(0, testLabels), randn(Classes * (PerClass / 4), Dim));

var features = nn.Sequential(nn.Linear(Dim, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU());
var head = nn.Linear(32, Classes);
var parameters = features.parameters().Concat(head.parameters());
var optimizer = optim.Adam(parameters, lr: 1e-2);

var loss = new ClassifierLoss { Tau = 0.2 };
Console.WriteLine(loss.Describe());
var history = new LossHistory();

for (var epoch = 1; epoch <= 20; epoch++)
{
    var order = randperm(points.shape[0]);
    for (long start = 0; start < points.shape[0]; start += 64)
    {
        using var scope = NewDisposeScope();
        var index = order.narrow(0, start, Math.Min(64, points.shape[0] - start));
        var x = points.index_select(0, index);
        var y = labels.index_select(0, index);
        var h = features.forward(x);

        optimizer.zero_grad();
        using var result = loss.Compute(head.forward(h), y, h);   // inputs in parameter order: logits, y, features
        result.Total.backward();
        optimizer.step();
        history.Record(result, epoch);
    }
    if (epoch % 5 == 0) Console.WriteLine(history.FormatEpoch(epoch));
}

using (no_grad())
{
    var predicted = head.forward(features.forward(testPoints)).argmax(1);
    var accuracy = predicted.eq(testLabels).to_type(ScalarType.Float64).mean().item<double>();
    Console.WriteLine($"test accuracy {accuracy:P1} (chance: {1.0 / Classes:P1})");
}
history.WriteCsv("loss-history.csv");
Console.WriteLine("per-step term values: loss-history.csv");
