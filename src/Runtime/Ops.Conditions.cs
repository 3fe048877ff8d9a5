using static TorchSharp.torch;

namespace LossDsl.Runtime;

public static partial class Ops
{
    // Comparisons give Bool tensors (not differentiated); Where chooses entry-wise and passes the gradient to the
    // chosen side only.

    public static Tensor Less(Tensor a, Tensor b) => a.lt(b);
    public static Tensor Less(Tensor a, double b) => Scalars.Lt(a, b);
    public static Tensor Less(double a, Tensor b) => Scalars.Gt(b, a);
    public static Tensor LessEq(Tensor a, Tensor b) => a.le(b);
    public static Tensor LessEq(Tensor a, double b) => Scalars.Le(a, b);
    public static Tensor LessEq(double a, Tensor b) => Scalars.Ge(b, a);
    public static Tensor Greater(Tensor a, Tensor b) => a.gt(b);
    public static Tensor Greater(Tensor a, double b) => Scalars.Gt(a, b);
    public static Tensor Greater(double a, Tensor b) => Scalars.Lt(b, a);
    public static Tensor GreaterEq(Tensor a, Tensor b) => a.ge(b);
    public static Tensor GreaterEq(Tensor a, double b) => Scalars.Ge(a, b);
    public static Tensor GreaterEq(double a, Tensor b) => Scalars.Le(b, a);

    /// <summary><paramref name="then"/> where <paramref name="condition"/> holds, else <paramref name="otherwise"/>.</summary>
    public static Tensor Where(Tensor condition, Tensor then, Tensor otherwise) => where(condition, then, otherwise);

    /// <summary>Both conditions.</summary>
    public static Tensor And(Tensor a, Tensor b) => a.logical_and(b);

    /// <summary>Either condition.</summary>
    public static Tensor Or(Tensor a, Tensor b) => a.logical_or(b);

    /// <summary>The negated condition.</summary>
    public static Tensor Not(Tensor a) => a.logical_not();

    /// <summary>The number of entries that hold, a 0-d tensor of <paramref name="dtype"/>.</summary>
    public static Tensor CountTrue(Tensor c, ScalarType dtype) => c.sum().to(dtype);

    /// <summary>Whether any entry holds, a 0-d Bool tensor.</summary>
    public static Tensor AnyTrue(Tensor c) => c.any();

    /// <summary>Where a label is not <paramref name="ignore"/> (everywhere when null).</summary>
    public static Tensor Valid(Tensor labels, long? ignore = null) =>
        ignore is { } i ? Scalars.Ne(labels, i) : ones_like(labels, ScalarType.Bool);

    /// <summary>1 where the condition holds, 0 elsewhere, as <paramref name="dtype"/> (the loss's float type).</summary>
    public static Tensor Indicator(Tensor c, ScalarType dtype) => c.to(dtype);
}
