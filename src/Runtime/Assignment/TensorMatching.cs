using System;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace LossDsl.Runtime.Assignment;

/// <summary>The matching host ops on TorchSharp tensors: optimal one-to-one assignment
/// (<see cref="LinearSumAssignment(Tensor, AssignmentBlocks?)"/>, DETR's Hungarian matcher) and threshold/top-k
/// one-to-many matching (<see cref="OneToMany(Tensor, double, int, AssignmentBlocks?, bool)"/>, Hydra-SGG).</summary>
/// <remarks>
/// <para>Both are discrete and not differentiable: they read the detached values (copied to the host, as float64,
/// when the tensor is float32 or on another device) and return int64 index tensors on the input's device. A loss
/// then gathers its differentiable terms at the pairs (<c>pred.index_select(0, rows)</c>,
/// <c>target.index_select(0, cols)</c>), so gradients flow through the matched pairs only, with the matching held
/// constant, as in DETR's <c>torch.no_grad()</c> matcher.</para>
/// <para>Indices are of the whole matrix: with DETR's layout (rows = batch · queries flattened, columns = every
/// image's targets concatenated) they index the flattened predictions and the concatenated targets directly.</para>
/// </remarks>
public static class TensorMatching
{
    /// <summary>Minimum-cost one-to-one matching of a cost matrix, block by block.</summary>
    /// <param name="cost">[R, C] floating-point costs (+∞: forbidden pair).</param>
    /// <param name="blocks">Independent blocks of <paramref name="cost"/>; null: the whole matrix is one problem.</param>
    /// <returns>int64 [P] rows and columns of the matched pairs, P = Σ_blocks min(rows, columns): block by block,
    /// rows ascending within a block.</returns>
    /// <exception cref="ArgumentException">Not a 2-D floating-point tensor, blocks of another size, a NaN or −∞
    /// cost, or a block without an assignment of finite cost.</exception>
    public static (Tensor Rows, Tensor Cols) LinearSumAssignment(Tensor cost, AssignmentBlocks? blocks = null)
    {
        var layout = CheckLayout(cost, nameof(cost), blocks);
        var pairs = OnHost(cost, values => LinearAssignment.Solve(values, layout));
        return ToTensors(pairs, cost.device);
    }

    /// <summary>Minimum-cost one-to-one matching within groups: entry (i, j) belongs to block g when
    /// <c>rowGroups[i] = colGroups[j] = g</c> (DETR: the image of each query and of each target). See
    /// <see cref="AssignmentBlocks.FromGroups"/>.</summary>
    /// <param name="cost">[R, C] floating-point costs.</param>
    /// <param name="rowGroups">[R] integer group ids (negative: never matched).</param>
    /// <param name="colGroups">[C] integer group ids (negative: never matched).</param>
    /// <returns>As <see cref="LinearSumAssignment(Tensor, AssignmentBlocks?)"/>, blocks in ascending group id.</returns>
    public static (Tensor Rows, Tensor Cols) LinearSumAssignment(Tensor cost, Tensor rowGroups, Tensor colGroups) =>
        LinearSumAssignment(cost, BlocksFromGroups(cost, rowGroups, colGroups));

    /// <summary>One-to-many matching: for each target (column), the rows whose score is ≥
    /// <paramref name="threshold"/>, at most <paramref name="topK"/> of them, best first (the exact rule:
    /// <see cref="OneToManyMatching"/>).</summary>
    /// <param name="score">[R, C] floating-point matching scores, higher is better.</param>
    /// <param name="threshold">The least score a pair needs (inclusive).</param>
    /// <param name="topK">The most rows per target (≥ 1).</param>
    /// <param name="blocks">Independent blocks of <paramref name="score"/>; null: the whole matrix.</param>
    /// <param name="exclusiveRows">Keep each row for its best target only.</param>
    /// <returns>int64 [P] rows and columns of the selected pairs: block by block, column ascending, best first.</returns>
    public static (Tensor Rows, Tensor Cols) OneToMany(Tensor score, double threshold, int topK, AssignmentBlocks? blocks = null, bool exclusiveRows = false)
    {
        var layout = CheckLayout(score, nameof(score), blocks);
        var pairs = OnHost(score, values => OneToManyMatching.Select(values, layout, threshold, topK, exclusiveRows));
        return ToTensors(pairs, score.device);
    }

    /// <summary><see cref="OneToMany(Tensor, double, int, AssignmentBlocks?, bool)"/> within groups given by id
    /// vectors, as <see cref="LinearSumAssignment(Tensor, Tensor, Tensor)"/>.</summary>
    public static (Tensor Rows, Tensor Cols) OneToMany(Tensor score, Tensor rowGroups, Tensor colGroups, double threshold, int topK, bool exclusiveRows = false) =>
        OneToMany(score, threshold, topK, BlocksFromGroups(score, rowGroups, colGroups), exclusiveRows);

    /// <summary>Blocks from group-id vectors of a matrix's rows ([R]) and columns ([C]), integer tensors on any
    /// device (<see cref="AssignmentBlocks.FromGroups"/>).</summary>
    public static AssignmentBlocks BlocksFromGroups(Tensor matrix, Tensor rowGroups, Tensor colGroups)
    {
        CheckMatrix(matrix, nameof(matrix));
        var rows = ReadGroups(rowGroups, Rows(matrix), nameof(rowGroups));
        var cols = ReadGroups(colGroups, Cols(matrix), nameof(colGroups));
        return AssignmentBlocks.FromGroups(rows, cols);
    }

    /// <summary>The blocks to use for <paramref name="t"/>: <paramref name="blocks"/>, checked against its shape, or
    /// the whole matrix.</summary>
    private static AssignmentBlocks CheckLayout(Tensor t, string name, AssignmentBlocks? blocks)
    {
        CheckMatrix(t, name);
        if (blocks is null) return AssignmentBlocks.Whole(Rows(t), Cols(t));
        if (blocks.Rows != t.shape[0] || blocks.Cols != t.shape[1])
            throw new ArgumentException($"The blocks describe a {blocks.Rows} × {blocks.Cols} matrix, but {name} is [{t.shape[0]}, {t.shape[1]}].", nameof(blocks));
        return blocks;
    }

    private delegate AssignmentPairs HostWork(ReadOnlySpan<double> values);

    [ThreadStatic] private static double[]? _widened;

    /// <summary>Runs <paramref name="work"/> on the detached values of <paramref name="t"/> as row-major float64 on
    /// the host: in place for a contiguous float64 CPU tensor, else copied (float32 is widened here, in a buffer
    /// kept per thread, rather than by libtorch, whose conversion took milliseconds on a loaded 2-core machine).</summary>
    private static AssignmentPairs OnHost(Tensor t, HostWork work)
    {
        using var scope = NewDisposeScope();
        var host = t.detach().cpu();
        if (host.dtype != ScalarType.Float64 && host.dtype != ScalarType.Float32) host = host.to_type(ScalarType.Float32);
        host = host.contiguous();
        if (host.dtype == ScalarType.Float64) return work(MemoryMarshal.Cast<byte, double>(host.bytes));
        var floats = MemoryMarshal.Cast<byte, float>(host.bytes);
        var widened = _widened is { } buffer && buffer.Length >= floats.Length ? buffer : _widened = new double[floats.Length];
        for (var k = 0; k < floats.Length; k++) widened[k] = floats[k];
        return work(widened.AsSpan(0, floats.Length));
    }

    private static void CheckMatrix(Tensor t, string name)
    {
        ArgumentNullException.ThrowIfNull(t, name);
        if (t.dim() != 2) throw new ArgumentException($"{name} must be a 2-D matrix, got shape [{string.Join(", ", t.shape)}].", name);
        if (!torch.is_floating_point(t)) throw new ArgumentException($"{name} must be floating-point, got {t.dtype}.", name);
        if (t.shape[0] > int.MaxValue || t.shape[1] > int.MaxValue || t.numel() > int.MaxValue)
            throw new ArgumentException($"{name} [{t.shape[0]}, {t.shape[1]}] is too large to match on the host.", name);
    }

    private static long[] ReadGroups(Tensor groups, int length, string name)
    {
        ArgumentNullException.ThrowIfNull(groups, name);
        if (groups.dim() != 1 || groups.shape[0] != length)
            throw new ArgumentException($"{name} must be [{length}], got shape [{string.Join(", ", groups.shape)}].", name);
        if (torch.is_floating_point(groups) || groups.dtype == ScalarType.Bool)
            throw new ArgumentException($"{name} must hold integer group ids, got {groups.dtype}.", name);
        using var scope = NewDisposeScope();
        var host = groups.detach().cpu();
        if (host.dtype != ScalarType.Int64) host = host.to_type(ScalarType.Int64);
        return MemoryMarshal.Cast<byte, long>(host.contiguous().bytes).ToArray();
    }

    private static (Tensor Rows, Tensor Cols) ToTensors(AssignmentPairs pairs, Device device)
    {
        var rows = new long[pairs.Count];
        var cols = new long[pairs.Count];
        for (var k = 0; k < rows.Length; k++) { rows[k] = pairs.Rows[k]; cols[k] = pairs.Cols[k]; }
        var r = torch.tensor(rows, ScalarType.Int64).to(device);
        var c = torch.tensor(cols, ScalarType.Int64).to(device);
        return (r.MoveToOuterDisposeScope(), c.MoveToOuterDisposeScope());
    }

    private static int Rows(Tensor t) => (int)t.shape[0];

    private static int Cols(Tensor t) => (int)t.shape[1];
}
