using static TorchSharp.torch;

namespace LossDsl.Runtime;

public static partial class Ops
{
    /// <summary>The entries of the last axis in ascending order (a stable sort, so equal entries keep their order);
    /// the gradient of each sorted entry flows back to the entry it came from (<c>torch.sort(x).values</c>).</summary>
    public static Tensor Sort(Tensor x) => x.sort(-1, descending: false, stable: true).Values;

    /// <summary>The log-probability of every token under the logits of the position before it:
    /// <paramref name="logits"/> <c>[..., T, V]</c> and <paramref name="tokens"/> <c>[..., T]</c> give <c>[..., T]</c>
    /// with entry t = <c>log_softmax(logits[..., t − 1, :])[tokens[..., t]]</c> for t ≥ 1; entry 0 (nothing predicts
    /// the first token) and the entries whose token is <paramref name="ignore"/> are 0 and pass no gradient. The
    /// last position's logits predict nothing and are not read.</summary>
    public static Tensor NextTokenLogProbs(Tensor logits, Tensor tokens, long? ignore = null)
    {
        var steps = tokens.shape[^1];
        if (steps <= 1) return zeros(tokens.shape, logits.dtype, logits.device);
        var firstShape = (long[])tokens.shape.Clone();
        firstShape[^1] = 1;
        var first = zeros(firstShape, logits.dtype, logits.device);
        var predicted = LogSoftmax(logits.narrow(-2, 0, steps - 1));
        var scored = Pick(predicted, tokens.narrow(-1, 1, steps - 1), ignore);
        return cat(new[] { first, scored }, -1);
    }

    /// <summary>Where a token is predicted by the position before it: every position of the last axis but the first,
    /// and not <paramref name="ignore"/> (Bool).</summary>
    public static Tensor PredictedTokens(Tensor tokens, long? ignore = null)
    {
        var valid = Valid(tokens, ignore);
        var steps = tokens.shape[^1];
        if (steps == 0) return valid;
        var firstShape = (long[])tokens.shape.Clone();
        firstShape[^1] = 1;
        var restShape = (long[])tokens.shape.Clone();
        restShape[^1] = steps - 1;
        var notFirst = cat(new[] { zeros(firstShape, ScalarType.Bool, tokens.device), ones(restShape, ScalarType.Bool, tokens.device) }, -1);
        return valid.logical_and(notFirst);
    }
}
