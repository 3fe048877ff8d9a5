using System;
using System.Collections.Generic;

namespace LossDsl.Runtime.Assignment;

/// <summary>One-to-many matching by score threshold and per-target top-k, the auxiliary assignment of Hydra-SGG
/// ("Hydra-SGG: Hybrid Relation Assignment for One-stage Scene Graph Generation", Chen et al., 2024: every
/// prediction whose matching score with a ground truth is high enough becomes another positive for it). Not
/// differentiable: run it on detached scores.</summary>
/// <remarks>
/// <para><b>The rule.</b> Within each block, for each target (column) j independently: the candidates are the
/// predictions (rows) i with <c>score[i, j] ≥ threshold</c> (inclusive); they are ranked by score, highest first,
/// equal scores by ascending row; the first <c>topK</c> are kept. A row may thus be kept for several targets.
/// With <c>exclusiveRows</c>, a row kept for several targets of its block is then kept only for the one where its
/// score is highest (equal scores: the lowest column); the other targets are not refilled, so they may end with
/// fewer than <c>topK</c> rows.</para>
/// <para><b>Order.</b> Pairs come block by block, then by column ascending, then in rank order.</para>
/// <para>Scores are higher-is-better (an IoU, or the negated cost of a one-to-one matcher). A NaN score inside a
/// block, a NaN threshold or <c>topK</c> &lt; 1 is an error; ±∞ scores are ordinary values.</para>
/// </remarks>
public static class OneToManyMatching
{
    /// <summary>Selects the pairs of the rule above.</summary>
    /// <param name="score">The whole score matrix, row-major, <paramref name="blocks"/>.Rows × <paramref name="blocks"/>.Cols.</param>
    /// <param name="blocks">The independent problems; <see cref="AssignmentBlocks.Whole"/> for one.</param>
    /// <param name="threshold">The least score a pair needs.</param>
    /// <param name="topK">The most rows kept per target (≥ 1; <see cref="int.MaxValue"/> for no limit).</param>
    /// <param name="exclusiveRows">Keep each row for one target at most (its best).</param>
    /// <returns>The pairs as indices of the whole matrix, grouped by block.</returns>
    /// <exception cref="ArgumentException">A NaN score in a block or threshold, <paramref name="topK"/> &lt; 1, or
    /// sizes that do not fit.</exception>
    public static AssignmentPairs Select(ReadOnlySpan<double> score, AssignmentBlocks blocks, double threshold, int topK, bool exclusiveRows = false)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        if (score.Length != (long)blocks.Rows * blocks.Cols)
            throw new ArgumentException($"A {blocks.Rows} × {blocks.Cols} score matrix needs {(long)blocks.Rows * blocks.Cols} entries, got {score.Length}.", nameof(score));
        if (double.IsNaN(threshold)) throw new ArgumentException("The one-to-many threshold is NaN.", nameof(threshold));
        if (topK < 1) throw new ArgumentOutOfRangeException(nameof(topK), topK, "One-to-many matching keeps at least one row per target (topK ≥ 1).");

        var rows = new List<int>();
        var cols = new List<int>();
        var starts = new int[blocks.Count + 1];
        var candidates = new List<(double Score, int Row)>();
        var stride = blocks.Cols;
        for (var b = 0; b < blocks.Count; b++)
        {
            var blockStart = rows.Count;
            foreach (var j in blocks.ColsOf(b))
            {
                candidates.Clear();
                foreach (var i in blocks.RowsOf(b))
                {
                    var s = score[i * stride + j];
                    if (double.IsNaN(s))
                        throw new ArgumentException($"Score [{i}, {j}] is NaN{(blocks.Describe(b) is { } block ? $" (in {block})" : "")}.", nameof(score));
                    if (s >= threshold) candidates.Add((s, i));
                }
                // Highest score first, then the lower row.
                candidates.Sort((x, y) => x.Score != y.Score ? y.Score.CompareTo(x.Score) : x.Row.CompareTo(y.Row));
                for (var k = 0; k < Math.Min(topK, candidates.Count); k++) { rows.Add(candidates[k].Row); cols.Add(j); }
            }
            if (exclusiveRows) KeepBestTargetPerRow(score, stride, rows, cols, blockStart);
            starts[b + 1] = rows.Count;
        }
        return new AssignmentPairs(rows.ToArray(), cols.ToArray(), starts);
    }

    /// <summary>Among the pairs from <paramref name="from"/> on (one block), keeps each row only with its
    /// highest-scoring column (equal scores: the lowest column), preserving the order of the kept pairs.</summary>
    private static void KeepBestTargetPerRow(ReadOnlySpan<double> score, int stride, List<int> rows, List<int> cols, int from)
    {
        var best = new Dictionary<int, int>();
        for (var k = from; k < rows.Count; k++)
        {
            int i = rows[k], j = cols[k];
            // Pairs arrive by ascending column, so a strictly higher score is needed to move a row.
            if (!best.TryGetValue(i, out var current) || score[i * stride + j] > score[i * stride + current]) best[i] = j;
        }
        var write = from;
        for (var k = from; k < rows.Count; k++)
        {
            if (best[rows[k]] != cols[k]) continue;
            rows[write] = rows[k];
            cols[write] = cols[k];
            write++;
        }
        rows.RemoveRange(write, rows.Count - write);
        cols.RemoveRange(write, cols.Count - write);
    }
}
