using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace LossDsl.Examples.Distillation;

/// <summary>A two-hidden-layer perceptron that also returns its last hidden features (for RKD).</summary>
public sealed class Mlp : Module<Tensor, (Tensor Features, Tensor Logits)>
{
    private readonly Module<Tensor, Tensor> _body;
    private readonly Module<Tensor, Tensor> _head;

    public Mlp(string name, int hidden, int classes = 10) : base(name)
    {
        _body = Sequential(Linear(64, hidden), ReLU(), Linear(hidden, hidden), ReLU());
        _head = Linear(hidden, classes);
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
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        eval();
        var predicted = forward(data.Pixels).Logits.argmax(1);
        var accuracy = predicted.eq(data.Labels).to_type(ScalarType.Float64).mean().item<double>();
        train();
        return accuracy;
    }
}
