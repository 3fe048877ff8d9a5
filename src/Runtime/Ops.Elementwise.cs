using static TorchSharp.torch;

namespace LossDsl.Runtime;

public static partial class Ops
{
    /// <summary><c>exp(x)</c>.</summary>
    public static Tensor Exp(Tensor x) => x.exp();
    /// <summary><c>log(x)</c>.</summary>
    public static Tensor Log(Tensor x) => x.log();
    /// <summary><c>√x</c>.</summary>
    public static Tensor Sqrt(Tensor x) => x.sqrt();
    /// <summary><c>x²</c>.</summary>
    public static Tensor Square(Tensor x) => Scalars.Square(x);
    /// <summary><c>|x|</c>.</summary>
    public static Tensor Abs(Tensor x) => x.abs();
    /// <summary><c>max(x, 0)</c>.</summary>
    public static Tensor Relu(Tensor x) => x.relu();
    /// <summary><c>log(1 + exp(x))</c>, accurate for every x. Written as <c>−log σ(−x)</c> because
    /// <c>F.softplus</c> returns x itself above its threshold 20, an error of up to 2e-9 that the
    /// contrastive losses (<c>softplus(lse − s)</c> at τ = 0.07) hit.</summary>
    public static Tensor Softplus(Tensor x) => -nn.functional.logsigmoid(-x);
    /// <summary><c>1 / (1 + exp(−x))</c>.</summary>
    public static Tensor Sigmoid(Tensor x) => x.sigmoid();
    /// <summary><c>log σ(x)</c>, computed stably.</summary>
    public static Tensor LogSigmoid(Tensor x) => nn.functional.logsigmoid(x);
    /// <summary>The same value, cut from the autograd graph.</summary>
    public static Tensor StopGradient(Tensor x) => x.detach();

    /// <summary><c>exp</c> of every triplet value; the selection is kept.</summary>
    public static TripletTensor Exp(TripletTensor t) => t.Map(Exp);
    /// <summary><c>log</c> of every triplet value; the selection is kept.</summary>
    public static TripletTensor Log(TripletTensor t) => t.Map(Log);
    /// <summary><c>√</c> of every triplet value; the selection is kept.</summary>
    public static TripletTensor Sqrt(TripletTensor t) => t.Map(Sqrt);
    /// <summary>The square of every triplet value; the selection is kept.</summary>
    public static TripletTensor Square(TripletTensor t) => t.Map(Square);
    /// <summary><c>|t|</c> of every triplet value; the selection is kept.</summary>
    public static TripletTensor Abs(TripletTensor t) => t.Map(Abs);
    /// <summary><c>max(t, 0)</c> of every triplet value; the selection is kept.</summary>
    public static TripletTensor Relu(TripletTensor t) => t.Map(Relu);
    /// <summary><c>softplus</c> of every triplet value; the selection is kept.</summary>
    public static TripletTensor Softplus(TripletTensor t) => t.Map(Softplus);
    /// <summary><c>σ</c> of every triplet value; the selection is kept.</summary>
    public static TripletTensor Sigmoid(TripletTensor t) => t.Map(Sigmoid);
    /// <summary><c>log σ</c> of every triplet value; the selection is kept.</summary>
    public static TripletTensor LogSigmoid(TripletTensor t) => t.Map(LogSigmoid);
    /// <summary>The triplet values cut from the autograd graph; the selection is kept.</summary>
    public static TripletTensor StopGradient(TripletTensor t) => t.Map(StopGradient);
}
