using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Runtime;
using static LossDsl.Runtime.Scalars;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace LossDsl.Tests.Zoo2;

/// <summary>The operations zoo part 2 added (ids 350–353) on their own: sorting with its gradient, the causal-LM token
/// gather and its predicted-token mask, and Hydra-SGG's one-to-many matching (threshold, top-k, ties, blocks).</summary>
public sealed class NewOpsTests
{
    [Fact]
    public void Sort_routes_each_gradient_to_the_entry_it_came_from()
    {
        var x = tensor(new[] { 0.3, -1.0, 2.0, 0.5 }).requires_grad_(true);
        var sorted = Ops.Sort(x);
        Assert.Equal(new[] { -1.0, 0.3, 0.5, 2.0 }, sorted.data<double>().ToArray());
        Mul(sorted, tensor(new[] { 1.0, 10, 100, 1000 })).sum().backward();
        Assert.Equal(new[] { 10.0, 1, 1000, 100 }, x.grad!.data<double>().ToArray());
        // Ties keep their order (stable).
        Assert.Equal(new[] { 1.0, 1, 2 }, Ops.Sort(tensor(new[] { 1.0, 2, 1 })).data<double>().ToArray());
    }

    [Fact]
    public void NextTokenLogProbs_scores_each_token_with_the_previous_positions_logits()
    {
        var logits = ZooCheck.Randn(1, 2, 4, 3);
        var tokens = tensor(new long[] { 1, 2, -100, 0, 0, 1, 2, 2 }, new long[] { 2, 4 });
        var actual = Ops.NextTokenLogProbs(logits, tokens, -100);
        var logp = F.log_softmax(logits, -1);
        for (var i = 0; i < 2; i++)
            for (var t = 0; t < 4; t++)
            {
                var token = tokens[i, t].item<long>();
                var expected = t == 0 || token == -100 ? 0.0 : logp[i, t - 1, token].item<double>();
                Assert.Equal(expected, actual[i, t].item<double>(), 15);
            }
        var predicted = Ops.PredictedTokens(tokens, -100).data<bool>().ToArray();
        Assert.Equal(new[] { false, true, false, true, false, true, true, true }, predicted);
        // One position: nothing is predicted.
        Assert.Equal(0.0, Ops.NextTokenLogProbs(logits.narrow(1, 0, 1), tokens.narrow(1, 0, 1), -100).abs().sum().item<double>());
    }

    [Fact]
    public void AssignMany_keeps_the_best_rows_above_the_threshold_per_column_within_blocks()
    {
        var score = tensor(new[]
        {
            0.9, 0.1, 0.7,
            0.8, 0.6, 0.2,
            0.8, 0.3, 0.9,
            0.1, 0.95, 0.5,
        }, new long[] { 4, 3 });
        // Rows 0–2 and column 0–1 form one image, row 3 and column 2 another.
        var rowImage = tensor(new long[] { 0, 0, 0, 1 });
        var columnImage = tensor(new long[] { 0, 0, 1 });
        var graph = rowImage.unsqueeze(1).eq(columnImage.unsqueeze(0));
        var pairs = Ops.AssignMany(new MaskedRelation(score, graph), threshold: 0.5, topK: 2);
        var found = pairs.Rows.data<long>().Zip(pairs.Columns.data<long>(), (r, c) => (r, c)).ToArray();
        // Column 0: 0.9 (row 0), then 0.8 tied between rows 1 and 2: the lower row. Column 1: only row 1 reaches 0.5
        // (row 3 belongs to the other image). Column 2: row 3 (0.5 ≥ 0.5); rows 0 and 2 are in the other image.
        Assert.Equal(new (long, long)[] { (0, 0), (1, 0), (1, 1), (3, 2) }, found);
        Assert.Throws<ArgumentException>(() => Ops.AssignMany(new MaskedRelation(score, graph), 0.5, 0));
        Assert.Throws<ArgumentException>(() => Ops.AssignMany(new MaskedRelation(score, graph), 0.5, 1.5));
        var none = Ops.AssignMany(new MaskedRelation(score, graph), 5, 3);
        Assert.Equal(0, none.Rows.shape[0]);
    }
}
