namespace LossDsl.Runtime.Kernels;

/// <summary>The arithmetic a formula struct is written in: every operation of the DSL's element-wise
/// vocabulary, over a number type <typeparamref name="T"/> that may be one scalar (<c>float</c>, <c>double</c>:
/// the ILGPU kernels, the scalar tail) or a SIMD vector of them (<c>Vector512&lt;float&gt;</c>, ...: the CPU
/// engine, one lane per column). A formula never names T's concrete type, so one struct serves every backend.</summary>
/// <remarks>All members are static abstract: a call <c>M.Exp(a)</c> in a formula generic over
/// <c>M : IPairMath&lt;T&gt;</c> is resolved when the JIT (or ILGPU's compiler, verified for its CPU and PTX
/// backends) specialises the formula for M, so it costs what the operation costs. Masks are numbers of type
/// T too: <see cref="Eq"/>, <see cref="Gt"/>, <see cref="And"/> make them and <see cref="Select"/> reads them;
/// what a mask holds is the implementation's business (all bits set for vectors, 1/0 for scalars).
/// Unary functions use the stable forms of <c>Ops</c>: softplus is <c>−logsigmoid(−a)</c>, log-sigmoid is
/// <c>min(a, 0) − log(1 + e^{−|a|})</c>, so both are finite for every finite a. Step and Sign are the
/// derivatives of relu and |a|, 0 at 0.</remarks>
public interface IPairMath<T>
{
    /// <summary>A host number (a constant or a hyper-parameter), broadcast.</summary>
    static abstract T Const(double value);

    /// <summary>a + b.</summary>
    static abstract T Add(T a, T b);
    /// <summary>a − b.</summary>
    static abstract T Sub(T a, T b);
    /// <summary>a · b.</summary>
    static abstract T Mul(T a, T b);
    /// <summary>a / b.</summary>
    static abstract T Div(T a, T b);
    /// <summary>−a.</summary>
    static abstract T Neg(T a);
    /// <summary>min(a, b).</summary>
    static abstract T Min(T a, T b);
    /// <summary>max(a, b).</summary>
    static abstract T Max(T a, T b);

    /// <summary>e^a.</summary>
    static abstract T Exp(T a);
    /// <summary>ln a (−∞ at 0, NaN below).</summary>
    static abstract T Log(T a);
    /// <summary>√a.</summary>
    static abstract T Sqrt(T a);
    /// <summary>log(1 + e^a) as −logsigmoid(−a).</summary>
    static abstract T Softplus(T a);
    /// <summary>1 / (1 + e^{−a}).</summary>
    static abstract T Sigmoid(T a);
    /// <summary>log σ(a) = min(a, 0) − log(1 + e^{−|a|}).</summary>
    static abstract T LogSigmoid(T a);
    /// <summary>max(a, 0).</summary>
    static abstract T Relu(T a);
    /// <summary>a².</summary>
    static abstract T Square(T a);
    /// <summary>|a|.</summary>
    static abstract T Abs(T a);
    /// <summary>[a &gt; 0] as 1 or 0 (relu's derivative).</summary>
    static abstract T Step(T a);
    /// <summary>The sign of a, 0 at 0 (|a|'s derivative).</summary>
    static abstract T Sign(T a);

    /// <summary>Mask of a = b.</summary>
    static abstract T Eq(T a, T b);
    /// <summary>Mask of a ≠ b.</summary>
    static abstract T Ne(T a, T b);
    /// <summary>Mask of a &gt; b.</summary>
    static abstract T Gt(T a, T b);
    /// <summary>Mask of a &lt; b.</summary>
    static abstract T Lt(T a, T b);
    /// <summary>Both masks.</summary>
    static abstract T And(T a, T b);
    /// <summary>The all-true mask.</summary>
    static abstract T True { get; }
    /// <summary>a where the mask holds, else b.</summary>
    static abstract T Select(T mask, T a, T b);
}
