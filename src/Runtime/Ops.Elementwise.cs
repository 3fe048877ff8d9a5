using static LossDsl.Runtime.Scalars;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace LossDsl.Runtime;

public static partial class Ops
{
    /// <summary><c>exp(x)</c>.</summary>
    public static Tensor Exp(Tensor x) => x.exp();
    /// <summary><c>log(x)</c>.</summary>
    public static Tensor Log(Tensor x) => x.log();
    /// <summary><c>log(1 + x)</c>, accurate near 0.</summary>
    public static Tensor Log1p(Tensor x) => x.log1p();
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
    public static Tensor Softplus(Tensor x)
    {
        // The middle tensor is released at once (autograd keeps the negated input and its buffer): one N×M less.
        using var negated = x.neg();
        using var logSigmoid = F.logsigmoid(negated);
        return logSigmoid.neg();
    }
    /// <summary><c>1 / (1 + exp(−x))</c>.</summary>
    public static Tensor Sigmoid(Tensor x) => x.sigmoid();
    /// <summary><c>log σ(x)</c>, computed stably.</summary>
    public static Tensor LogSigmoid(Tensor x) => F.logsigmoid(x);
    /// <summary><c>tanh(x)</c>.</summary>
    public static Tensor Tanh(Tensor x) => x.tanh();
    /// <summary><c>cos(x)</c>.</summary>
    public static Tensor Cos(Tensor x) => x.cos();
    /// <summary><c>sin(x)</c>.</summary>
    public static Tensor Sin(Tensor x) => x.sin();
    /// <summary><c>arccos(x)</c>; NaN outside [−1, 1] (clamp first).</summary>
    public static Tensor Acos(Tensor x) => x.acos();
    /// <summary><c>x^p</c>.</summary>
    public static Tensor Pow(Tensor x, double p) => Scalars.Pow(x, p);
    /// <summary><c>min(max(x, low), high)</c>; no gradient where clamped.</summary>
    public static Tensor Clamp(Tensor x, double low, double high) => Scalars.Clamp(x, low, high);
    /// <summary>The same value, cut from the autograd graph.</summary>
    public static Tensor StopGradient(Tensor x) => x.detach();

    /// <summary>The entry-wise smaller value; the gradient goes to it (half to each on a tie, as <c>torch.minimum</c>).</summary>
    public static Tensor Minimum(Tensor a, Tensor b) => a.minimum(b);
    public static Tensor Minimum(Tensor a, double b) => a.minimum(Like(a, b));
    public static Tensor Minimum(double a, Tensor b) => Like(b, a).minimum(b);
    /// <summary>The entry-wise larger value; the gradient goes to it (half to each on a tie, as <c>torch.maximum</c>).</summary>
    public static Tensor Maximum(Tensor a, Tensor b) => a.maximum(b);
    public static Tensor Maximum(Tensor a, double b) => a.maximum(Like(a, b));
    public static Tensor Maximum(double a, Tensor b) => Like(b, a).maximum(b);
    /// <summary><c>log(e^a + e^b)</c>, computed stably; −∞ where both are −∞ (two empty log-sum-exps), with no
    /// gradient there rather than the NaN of <c>torch.logaddexp</c>'s backward (<c>exp(−∞ − (−∞))</c>).</summary>
    public static Tensor LogAddExp(Tensor a, Tensor b)
    {
        var bothEmpty = Eq(a.detach(), double.NegativeInfinity).logical_and(Eq(b.detach(), double.NegativeInfinity));
        var safe = Fill(a, bothEmpty, 0).logaddexp(Fill(b, bothEmpty, 0));
        return Fill(safe, bothEmpty, double.NegativeInfinity);
    }

    /// <summary>The same values in another role (logits, embeddings, …): nothing is computed.</summary>
    public static Tensor As(Tensor x) => x;

    /// <summary>A 0-d tensor of <paramref name="v"/> with <paramref name="like"/>'s dtype and device.</summary>
    private static Tensor Like(Tensor like, double v) => Full(new long[0], v, like.dtype, like.device);

    // Element-wise functions of triplet values keep the triplet selection.
    public static TripletTensor Exp(TripletTensor t) => t.Map(Exp);
    public static TripletTensor Log(TripletTensor t) => t.Map(Log);
    public static TripletTensor Log1p(TripletTensor t) => t.Map(Log1p);
    public static TripletTensor Sqrt(TripletTensor t) => t.Map(Sqrt);
    public static TripletTensor Square(TripletTensor t) => t.Map(Square);
    public static TripletTensor Abs(TripletTensor t) => t.Map(Abs);
    public static TripletTensor Relu(TripletTensor t) => t.Map(Relu);
    public static TripletTensor Softplus(TripletTensor t) => t.Map(Softplus);
    public static TripletTensor Sigmoid(TripletTensor t) => t.Map(Sigmoid);
    public static TripletTensor LogSigmoid(TripletTensor t) => t.Map(LogSigmoid);
    public static TripletTensor Tanh(TripletTensor t) => t.Map(Tanh);
    public static TripletTensor Cos(TripletTensor t) => t.Map(Cos);
    public static TripletTensor Sin(TripletTensor t) => t.Map(Sin);
    public static TripletTensor Acos(TripletTensor t) => t.Map(Acos);
    public static TripletTensor Pow(TripletTensor t, double p) => t.Map(v => Pow(v, p));
    public static TripletTensor Clamp(TripletTensor t, double low, double high) => t.Map(v => Clamp(v, low, high));
    public static TripletTensor StopGradient(TripletTensor t) => t.Map(StopGradient);
}
