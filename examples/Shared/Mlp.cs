using System.Linq;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace LossDsl.Examples;

/// <summary>A perceptron with two hidden layers that also returns its last hidden features (for relational
/// terms: RKD, PKT, contrastive losses) and a linear head (logits).</summary>
public sealed class Mlp : Module<Tensor, (Tensor Features, Tensor Logits)>
{
    private readonly Module<Tensor, Tensor> _body;
    private readonly Module<Tensor, Tensor> _head;

    /// <param name="reluFeatures">False leaves the features linear (an embedding for cosine similarities).</param>
    public Mlp(string name, int hidden, int features = -1, int classes = 10, bool reluFeatures = true) : base(name)
    {
        if (features < 0) features = hidden;
        _body = reluFeatures
            ? Sequential(Linear(64, hidden), ReLU(), Linear(hidden, features), ReLU())
            : Sequential(Linear(64, hidden), ReLU(), Linear(hidden, features));
        _head = Linear(features, classes);
        RegisterComponents();
    }

    public override (Tensor Features, Tensor Logits) forward(Tensor pixels)
    {
        var features = _body.forward(pixels);
        return (features, _head.forward(features));
    }

    /// <summary>Share of correctly classified rows.</summary>
    public double Accuracy(Digits data)
    {
        if (data.Count == 0) return double.NaN;
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var wasTraining = training;
        eval();
        var predicted = forward(data.Pixels).Logits.argmax(1);
        var accuracy = predicted.eq(data.Labels).to_type(ScalarType.Float64).mean().item<double>();
        if (wasTraining) train();
        return accuracy;
    }

    /// <summary>The hidden features of every row, without gradient.</summary>
    public Tensor Features(Tensor pixels)
    {
        using var _ = no_grad();
        var wasTraining = training;
        eval();
        var features = forward(pixels).Features.detach();
        if (wasTraining) train();
        return features;
    }

    /// <summary>A copy of this model's weights in <paramref name="other"/> (same shape).</summary>
    public void CopyTo(Mlp other)
    {
        using var _ = no_grad();
        foreach (var (target, source) in other.parameters().Zip(parameters()))
            target.copy_(source);
    }
}
