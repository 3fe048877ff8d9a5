using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using LossDsl.Runtime;
using LossDsl.Zoo;

namespace LossDsl.Cli;

/// <summary>A reference implementation LossDsl can stand in for.</summary>
/// <param name="Symbol">The case's <c>source.symbol</c>, matched exactly.</param>
/// <param name="Loss">The LossDsl loss it maps to, for <c>--help</c>-style listings.</param>
/// <param name="Resolve">Reads the case's params and returns the loss with its hyper-parameters set, and the
/// mapping of the case's input names to the loss's; throws <see cref="UnsupportedReferenceException"/> for
/// parameters the loss does not compute.</param>
public sealed record ReferenceEntry(string Symbol, string Loss, Func<CaseParams, MappedLoss> Resolve);

/// <summary>A case's reference as a LossDsl loss.</summary>
/// <param name="Loss">The loss, hyper-parameters set.</param>
/// <param name="InputNames">Case input name → loss input name.</param>
/// <param name="Adapt">When the reference lays its inputs out differently from the loss (a batch of frames
/// instead of a batch of videos, one tensor per image instead of one per batch), builds the loss's inputs from
/// the case's, with differentiable tensor operations so gradients reach the case's tensors; null when the inputs
/// are passed as they are, renamed by <see cref="InputNames"/>.</param>
public sealed record MappedLoss(ILoss Loss, IReadOnlyDictionary<string, string> InputNames,
    Func<IReadOnlyDictionary<string, TorchSharp.torch.Tensor>, IReadOnlyDictionary<string, TorchSharp.torch.Tensor>>? Adapt = null)
{
    /// <summary>The loss with its hyper-parameters, e.g. <c>NtXent(Temperature=0.07)</c>.</summary>
    public string Label =>
        Loss.Name + "(" + string.Join(", ", Loss.HyperValues.Select(h => h.Key + "=" + CaseParams.Format(h.Value))) + ")";
}

/// <summary>The table from reference implementations (a case's <c>source.symbol</c> and <c>params</c>) to
/// LossDsl losses. One entry per reference; add a line to <see cref="Entries"/> to support another.</summary>
public static class ReferenceMap
{
    // How each library names its inputs, mapped to the zoo losses' inputs.
    private static readonly IReadOnlyDictionary<string, string> Pml = Names(("embeddings", "z"), ("labels", "y"));
    private static readonly IReadOnlyDictionary<string, string> RepDistillerFeatures = Names(("f_s", "student"), ("f_t", "teacher"));
    private static readonly IReadOnlyDictionary<string, string> RepDistillerLogits = Names(("y_s", "student"), ("y_t", "teacher"));
    private static readonly IReadOnlyDictionary<string, string> NpoAuthors = Names(("logp_policy", "policy"), ("logp_ref", "reference"));

    /// <summary>Every supported reference: the established libraries' (below) and the seed papers' own code
    /// (<see cref="SeedReferences"/>).</summary>
    public static readonly IReadOnlyList<ReferenceEntry> Entries = LibraryEntries().Concat(SeedReferences.Entries()).ToList();

    private static IEnumerable<ReferenceEntry> LibraryEntries() => new ReferenceEntry[]
    {
        new("pytorch_metric_learning.losses.NTXentLoss", nameof(NtXent), p =>
        {
            p.AllowOnly("temperature");
            p.RequirePmlDistance("CosineSimilarity");
            p.RequirePmlReducer("MeanReducer");
            return new(new NtXent { Temperature = p.Number("temperature", 0.07) }, Pml);
        }),

        new("pytorch_metric_learning.losses.SupConLoss", nameof(SupConPml), p =>
        {
            p.AllowOnly("temperature");
            p.RequirePmlDistance("CosineSimilarity");
            p.RequirePmlReducer("AvgNonZeroReducer");
            return new(new SupConPml { Temperature = p.Number("temperature", 0.1) }, Pml);
        }),

        new("pytorch_metric_learning.losses.TripletMarginLoss", $"{nameof(TripletMargin)}, or {nameof(TripletHardMined)} with a hard TripletMarginMiner", p =>
        {
            p.AllowOnly("margin", "miner", "swap", "smooth_loss", "triplets_per_anchor");
            p.RequireIfPresent("swap", JsonValueKind.False, "false");
            p.RequireIfPresent("smooth_loss", JsonValueKind.False, "false");
            p.RequireIfPresent("triplets_per_anchor", JsonValueKind.String, "all");
            p.RequirePmlDistance("LpDistance");
            p.RequirePmlReducer("AvgNonZeroReducer");
            var margin = p.Number("margin", 0.05);
            if (!p.Has("miner")) return new(new TripletMargin { Margin = margin }, Pml);
            RequireHardTripletMiner(p);
            return new(new TripletHardMined { Margin = margin }, Pml);
        }),

        new("pytorch_metric_learning.losses.ContrastiveLoss", nameof(Contrastive), p =>
        {
            p.AllowOnly("pos_margin", "neg_margin");
            p.RequirePmlDistance("LpDistance");
            p.RequirePmlSubReducers("AvgNonZeroReducer", "pos_loss", "neg_loss");
            return new(new Contrastive { PosMargin = p.Number("pos_margin", 0), NegMargin = p.Number("neg_margin", 1) }, Pml);
        }),

        new("pytorch_metric_learning.losses.MultiSimilarityLoss", nameof(MultiSimilarity), p =>
        {
            p.AllowOnly("alpha", "beta", "base");
            p.RequirePmlDistance("CosineSimilarity");
            p.RequirePmlReducer("MeanReducer");
            return new(new MultiSimilarity { Alpha = p.Number("alpha", 2), Beta = p.Number("beta", 50), Base = p.Number("base", 0.5) }, Pml);
        }),

        new("DPOTrainer.dpo_loss (+ .mean() from get_batch_loss_metrics)",
            $"{nameof(DpoSigmoid)}, {nameof(DpoHinge)}, {nameof(DpoIpo)} or another loss of the DPO family (see {nameof(SeedReferences)})",
            SeedReferences.TrlDpoLoss),

        new("CustomTrainerForgetting.compute_loss (loss_type == 'npo')", nameof(Npo), p =>
        {
            p.AllowOnly("beta");
            return new(new Npo { Beta = p.Number("beta") }, NpoAuthors);
        }),

        new("distiller_zoo.RKD.RKDLoss", $"{nameof(RkdDistance)} (w_a = 0), {nameof(RkdAngle)} (w_d = 0) or {nameof(Rkd)}", p =>
        {
            p.AllowOnly("w_d", "w_a", "pdist_eps", "smooth_l1_beta");
            p.RequireIfPresent("pdist_eps", 1e-12);
            p.RequireIfPresent("smooth_l1_beta", 1.0);
            var distanceWeight = p.Number("w_d", 25);
            var angleWeight = p.Number("w_a", 50);
            ILoss loss = angleWeight == 0 ? new RkdDistance { DistanceWeight = distanceWeight }
                : distanceWeight == 0 ? new RkdAngle { AngleWeight = angleWeight }
                : new Rkd { DistanceWeight = distanceWeight, AngleWeight = angleWeight };
            return new(loss, RepDistillerFeatures);
        }),

        new("distiller_zoo.PKT.PKT", nameof(Pkt), p =>
        {
            p.AllowOnly("eps");
            return new(new Pkt { Eps = p.Number("eps", 1e-7) }, RepDistillerFeatures);
        }),

        new("pytorch_metric_learning.losses.CircleLoss", nameof(Circle), p =>
        {
            p.AllowOnly("m", "gamma");
            p.RequirePmlDistance("CosineSimilarity");
            p.RequirePmlReducer("AvgNonZeroReducer");
            return new(new Circle { M = p.Number("m", 0.4), Gamma = p.Number("gamma", 80) }, Pml);
        }),

        new("pytorch_metric_learning.losses.NCALoss", nameof(Nca), p =>
        {
            p.AllowOnly("softmax_scale");
            p.RequirePmlDistance("LpDistance", requiredPower: 2);
            p.RequirePmlReducer("MeanReducer");
            return new(new Nca { SoftmaxScale = p.Number("softmax_scale", 1) }, Pml);
        }),

        new("pytorch_metric_learning.losses.LiftedStructureLoss", nameof(LiftedStructure), p =>
        {
            p.AllowOnly("neg_margin", "pos_margin");
            p.RequirePmlDistance("LpDistance");
            p.RequirePmlReducer("MeanReducer");
            return new(new LiftedStructure { NegMargin = p.Number("neg_margin", 1), PosMargin = p.Number("pos_margin", 0) }, Pml);
        }),

        new("pytorch_metric_learning.losses.MarginLoss", nameof(MarginLoss), p =>
        {
            p.AllowOnly("margin", "nu", "beta", "beta_as_used");
            p.RequireIfPresent("nu", 0.0);
            p.RequirePmlDistance("LpDistance");
            // PML holds beta in a float32 tensor; the case records the value it used.
            var beta = p.Has("beta_as_used") ? p.Number("beta_as_used") : (float)p.Number("beta", 1.2);
            return new(new MarginLoss { Margin = p.Number("margin", 0.2), Beta = beta }, Pml);
        }),

        new("pytorch_metric_learning.losses.ArcFaceLoss", nameof(ArcFace), p =>
        {
            p.AllowOnly("num_classes", "embedding_size", "margin", "scale");
            p.RequirePmlDistance("CosineSimilarity");
            p.RequirePmlReducer("MeanReducer");
            return new(new ArcFace { Margin = p.Number("margin", 28.6), Scale = p.Number("scale", 64) },
                Names(("embeddings", "z"), ("labels", "y"), ("W", "W")));
        }),

        new("pytorch_metric_learning.losses.ProxyAnchorLoss", nameof(ProxyAnchor), p =>
        {
            p.AllowOnly("num_classes", "embedding_size", "margin", "alpha");
            p.RequirePmlDistance("CosineSimilarity");
            p.RequirePmlSubReducers("DivisorReducer", "pos_loss", "neg_loss");
            return new(new ProxyAnchor { Margin = p.Number("margin", 0.1), Alpha = p.Number("alpha", 32) },
                Names(("embeddings", "z"), ("labels", "y"), ("proxies", "proxies")));
        }),

        new("monai.losses.DiceLoss", $"{nameof(Dice)} or {nameof(DiceBatch)}", p =>
        {
            p.AllowOnly("smooth_nr", "smooth_dr", "batch", "squared_pred", "jaccard", "include_background", "reduction");
            p.RequireIfPresent("squared_pred", JsonValueKind.False, "false");
            p.RequireIfPresent("jaccard", JsonValueKind.False, "false");
            p.RequireIfPresent("include_background", JsonValueKind.True, "true");
            p.RequireIfPresent("reduction", JsonValueKind.String, "mean");
            var (nr, dr) = (p.Number("smooth_nr", 1e-5), p.Number("smooth_dr", 1e-5));
            var batch = p.Has("batch") && p.Json.GetProperty("batch").ValueKind == JsonValueKind.True;
            ILoss loss = batch ? new DiceBatch { SmoothNr = nr, SmoothDr = dr } : new Dice { SmoothNr = nr, SmoothDr = dr };
            return new(loss, Names(("input", "input"), ("target", "target")));
        }),

        new("cross_entropy_loss", $"{nameof(ZLoss)}, {nameof(ZLossSum)} or {nameof(CrossEntropyWithZLoss)}", p =>
        {
            // OLMo's cross_entropy_loss(compute_z_loss=True): "returned" says which of its results the case is.
            p.AllowOnly("z_loss_multiplier", "ignore_index", "reduction", "returned");
            p.RequireIfPresent("ignore_index", -100);
            var multiplier = p.Number("z_loss_multiplier", 1e-4);
            var reduction = p.Text("reduction", "mean");
            var returned = p.Text("returned", "z");
            ILoss loss = (returned, reduction) switch
            {
                ("z", "mean") => new ZLoss { Multiplier = multiplier },
                ("z", "sum") => new ZLossSum { Multiplier = multiplier },
                ("ce+z", "mean") => new CrossEntropyWithZLoss { Multiplier = multiplier },
                _ => throw p.Unsupported($"{p.ShortSymbol} returning {returned} with reduction = \"{reduction}\""),
            };
            return new(loss, Names(("logits", "logits"), ("labels", "labels")));
        }),

        new("distiller_zoo.KD.DistillKL", nameof(HintonKd), p =>
        {
            p.AllowOnly("T");
            return new(new HintonKd { T = p.Number("T") }, RepDistillerLogits);
        }),
    };

    /// <summary>The LossDsl loss for <paramref name="c"/>'s reference.</summary>
    /// <exception cref="UnsupportedReferenceException">No entry has its symbol, its params ask for something
    /// the loss does not compute, or it has an input the loss has no counterpart for.</exception>
    /// <exception cref="CaseFormatException">The case's source or params are malformed.</exception>
    public static MappedLoss Resolve(ReferenceCase c)
    {
        var symbol = c.Symbol;
        var entry = Entries.FirstOrDefault(e => e.Symbol == symbol)
                    ?? throw new UnsupportedReferenceException(symbol);
        var mapped = entry.Resolve(new CaseParams(c, symbol));

        // A case input the loss has no counterpart for (PML's ref_emb, say) changes what is computed.
        var extra = mapped.Adapt is not null ? new List<string>() : c.InputNames.Where(n => !mapped.InputNames.ContainsKey(n)).ToList();
        if (extra.Count > 0)
            throw new UnsupportedReferenceException(
                $"{CaseParams.Shorten(symbol)} with input {string.Join(", ", extra.Select(n => "'" + n + "'"))}");
        return mapped;
    }

    /// <summary><c>params.miner</c> must be a TripletMarginMiner of "hard" triplets with margin ≥ 0 and the
    /// default distance. It keeps the triplets with <c>d_an − d_ap ≤ margin</c> and <c>≤ 0</c>; with a margin ≥ 0
    /// that is <c>d_an ≤ d_ap</c> whatever the margin, which is what <see cref="TripletHardMined"/> mines.</summary>
    private static void RequireHardTripletMiner(CaseParams p)
    {
        var miner = p.Json.GetProperty("miner");
        if (miner.ValueKind != JsonValueKind.Object)
            throw new CaseFormatException($"params.miner should be an object, but is {CaseFile.Describe(miner)}");
        var cls = miner.TryGetProperty("class", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : "an unnamed miner";
        if (cls != "TripletMarginMiner") throw p.Unsupported($"{p.ShortSymbol} with miner {cls}");
        var type = miner.TryGetProperty("type_of_triplets", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "all";
        if (type != "hard") throw p.Unsupported($"{p.ShortSymbol} with TripletMarginMiner(type_of_triplets=\"{type}\")");
        var unknown = miner.EnumerateObject().Select(m => m.Name).Where(n => n is not ("class" or "margin" or "type_of_triplets")).ToList();
        if (unknown.Count > 0)
            throw p.Unsupported($"{p.ShortSymbol} with TripletMarginMiner({string.Join(", ", unknown)})");
        var minerMargin = CaseParams.NumberIn(miner, "params.miner.margin", "margin", 0.2);
        if (minerMargin < 0)
            throw p.Unsupported($"{p.ShortSymbol} with a hard TripletMarginMiner of margin {CaseParams.Format(minerMargin)} < 0");
        p.RequirePmlDistance("LpDistance", "miner_distance");
    }

    private static IReadOnlyDictionary<string, string> Names(params (string Case, string Loss)[] pairs) =>
        pairs.ToDictionary(p => p.Case, p => p.Loss);
}
