using System;
using static TorchSharp.torch;

namespace LossDsl.Runtime;

/// <summary>The pairs a graph selects, for evaluating an element-wise formula over a relation at those pairs only
/// (<see cref="Ops.OverPairs"/>). When the graph selects at most <see cref="SparseFraction"/> of its pairs (NT-Xent's
/// positives: one or two per row of N), the formula's relations are gathered at the selected pairs and its row and
/// column vectors indexed, so it runs on <c>[P]</c> vectors instead of <c>[N, M]</c> tensors (each a fresh N×M
/// allocation forward and backward otherwise). Otherwise it runs on the dense operands as written.</summary>
public sealed class PairSupport
{
    /// <summary>The largest fraction of selected pairs evaluated sparsely. Gathering a pair reads scattered memory
    /// and its backward scatters into an N×M gradient; past a quarter of the pairs the dense formula costs less.</summary>
    public const double SparseFraction = 0.25;

    /// <summary>The graph; null for pairs listed from labels (every listed pair selected, weight true).</summary>
    private readonly Tensor? _graph;
    private readonly long[] _shape;
    private readonly Tensor? _rows;
    private readonly Tensor? _columns;

    private PairSupport(Tensor graph, Tensor? rows, Tensor? columns) : this(graph, graph.shape, rows, columns) { }

    private PairSupport(Tensor? graph, long[] shape, Tensor? rows, Tensor? columns)
    {
        _graph = graph;
        _shape = shape;
        _rows = rows;
        _columns = columns;
    }

    /// <summary>The support of a same-label graph given by its labels: its pairs listed from the labels when they are
    /// few, else its Bool mask built and read densely.</summary>
    public static PairSupport Of(LabelPairs graph) => Listed(graph, graph.Rows.device, graph.Mask);

    /// <summary>The pairs of <paramref name="graph"/> listed from its labels, or, when they are too many, the dense mask
    /// <paramref name="mask"/> gives (read as it is).</summary>
    private static PairSupport Listed(LabelPairs graph, Device device, Func<Tensor> mask)
    {
        LabelGraphs.List(graph.Rows, graph.Columns, graph.ExcludeSelf, SparseFraction, device, out var rows, out var columns);
        return rows is not null ? new PairSupport(null, graph.Shape, rows, columns) : new PairSupport(mask(), null, null);
    }

    /// <summary>The support of <paramref name="graph"/> <c>[N, M]</c>: a Bool mask, or float weights (a pair with
    /// weight &gt; 0, or NaN, is selected, as <see cref="MaskedRelation"/> reads them).</summary>
    /// <exception cref="ArgumentException">The graph is not two-dimensional.</exception>
    public static PairSupport Of(Tensor graph)
    {
        if (graph.dim() != 2) throw new ArgumentException($"A pair graph must be [N, M], got [{string.Join(", ", graph.shape)}].", nameof(graph));
        // A mask built from labels lists its pairs from the labels (no scan of N·M cells), in the same order.
        if (LabelGraphs.Description(graph) is { } described) return Listed(described, graph.device, () => graph);
        using var selected = graph.dtype == ScalarType.Bool ? graph.alias() : Ops.PositiveOrNaN(graph.detach());
        // A large graph is counted before its pairs are listed: a dense one would list most of its N·M pairs (16 bytes
        // each). A small one is listed at once (one operation less per call at the batch sizes where calls dominate).
        if (selected.numel() > SmallGraph)
        {
            using var count = selected.count_nonzero();
            if (count.item<long>() > SparseFraction * selected.numel()) return new PairSupport(graph, null, null);
        }
        // TorchSharp's nonzero_as_list gives [P, 1] columns; the gathers want [P].
        var pairs = selected.nonzero_as_list();
        using var rows = pairs[0];
        using var columns = pairs[1];
        if (rows.shape[0] > SparseFraction * selected.numel()) return new PairSupport(graph, null, null);
        return new PairSupport(graph, rows.flatten(), columns.flatten());
    }

    /// <summary>Graphs up to this many pairs (1,024 × 1,024) list their pairs without counting them first.</summary>
    private const long SmallGraph = 1L << 20;

    /// <summary>Whether the formula runs on the selected pairs only (<c>[P]</c> values) rather than on all of them.</summary>
    public bool IsSparse => _rows is not null;

    /// <summary>A relation <c>[N, M]</c> (or one that broadcasts to it, such as <c>[N, 1]</c>) at the evaluated pairs:
    /// <c>[P]</c> sparse, itself dense.</summary>
    public Tensor At(Tensor relation)
    {
        if (_rows is null) return relation;
        using var full = relation.expand(_shape);
        return full.index(new[] { _rows, _columns! });
    }

    /// <summary>A row vector <c>[N]</c> read at pair (i, j) as <c>v_i</c>: <c>[P]</c> sparse, <c>[N, 1]</c> dense.</summary>
    public Tensor Row(Tensor v) => _rows is null ? Ops.PerRow(v) : v.index_select(0, _rows);

    /// <summary>A column vector <c>[M]</c> read at pair (i, j) as <c>v_j</c>: <c>[P]</c> sparse, <c>[1, M]</c> dense.</summary>
    public Tensor Column(Tensor v) => _rows is null ? Ops.PerColumn(v) : v.index_select(0, _columns!);

    /// <summary>The formula's values seen through the graph. Sparse, a masked relation over <c>[P]</c> pairs that are
    /// all selected (their weights gathered for a soft graph) and the row of each: the pair reductions (mean, sum, mean
    /// over non-zero, count) and the row sums and means read it as they read the dense one.</summary>
    public MaskedRelation Over(Tensor values)
    {
        if (_rows is null) return Ops.Over(values, _graph!);
        var graph = _graph is null || _graph.dtype == ScalarType.Bool
            ? ones(_rows.shape[0], ScalarType.Bool, _rows.device)
            : _graph.index(new[] { _rows, _columns! });
        return new MaskedRelation(values.expand(_rows.shape[0]), graph, _rows, _shape[0]);
    }
}
