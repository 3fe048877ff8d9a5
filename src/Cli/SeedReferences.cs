using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using LossDsl.Runtime;
using LossDsl.Zoo;
using static TorchSharp.torch;

namespace LossDsl.Cli;

/// <summary>The reference implementations of the seed papers' losses (<c>cases_seeds.json</c>): the authors' own
/// code, mapped to zoo losses. Where the authors lay out their inputs differently from the loss (frames of videos
/// instead of videos, entity ids instead of triples), an adapter builds the loss's inputs with tensor operations,
/// so the gradients reach the case's tensors.</summary>
public static class SeedReferences
{
    public static IEnumerable<ReferenceEntry> Entries() => new[]
    {
        new ReferenceEntry("mixco_nce", $"{nameof(MixcoNce)} or {nameof(MixcoNceOneWay)}", p =>
        {
            p.AllowOnly("temp", "bidirectional");
            var temperature = p.Number("temp", 0.1);
            var bidirectional = p.Has("bidirectional") && p.Json.GetProperty("bidirectional").ValueKind == JsonValueKind.True;
            ILoss loss = bidirectional ? new MixcoNce { Temperature = temperature } : new MixcoNceOneWay { Temperature = temperature };
            return new(loss, Same("mix_modality", "mix", "fix_modality", "fix", "perm", "perm", "betas", "betas"));
        }),

        new ReferenceEntry("soft_clip_loss", nameof(SoftClip), p =>
        {
            p.AllowOnly("temp");
            return new(new SoftClip { Temperature = p.Number("temp", 0.125) }, Same("preds", "preds", "targs", "targs"));
        }),

        new ReferenceEntry("mixco_text, mixco_image, mixco_nce", nameof(MultimodalMixco), p =>
        {
            // The mixing's random draws are the case's recorded ones; token 0 of each modality is the embedding.
            p.AllowOnly("mixup_beta", "mixup_s_thresh", "lambda_mixup", "temp", "bidirectional", "torch_manual_seed");
            p.RequireIfPresent("bidirectional", JsonValueKind.True, "true");
            var c = p.Case;
            var loss = new MultimodalMixco { Temperature = p.Number("temp", 0.1), Lambda = p.Number("lambda_mixup", 0.1) };
            return new(loss, Same("text", "text", "image", "image"), inputs => new Dictionary<string, Tensor>
            {
                ["text"] = inputs["text"].select(1, 0),
                ["image"] = inputs["image"].select(1, 0),
                ["permText"] = CaseTensors.Debug(c, "perm_text", integer: true),
                ["betasText"] = CaseTensors.Debug(c, "betas_text", integer: false),
                ["permImage"] = CaseTensors.Debug(c, "perm_image", integer: true),
                ["betasImage"] = CaseTensors.Debug(c, "betas_image", integer: false),
            });
        }),

        KnowledgeGraph("TransE", p => new TransE
        {
            Gamma = p.Number("gamma_as_used"), AdversarialTemperature = Adversarial(p), Regularization = p.Number("regularization", 0),
        }),
        KnowledgeGraph("DistMult", p => new DistMult
        {
            AdversarialTemperature = Adversarial(p), Regularization = p.Number("regularization", 0),
        }),
        KnowledgeGraph("RotatE", p => new RotatE
        {
            Gamma = p.Number("gamma_as_used"), EmbeddingRange = p.Number("embedding_range_as_used"),
            AdversarialTemperature = Adversarial(p), Regularization = p.Number("regularization", 0),
        }),

        Detr(),

        new ReferenceEntry("DirectNormLoss (forward -> project_center)", nameof(NormDirection), p =>
        {
            // The case's T_EMB dictionary {str(k): centre} is the centres input, one row per class.
            p.AllowOnly("num_class", "nd_loss_factor");
            return new(new NormDirection { Factor = p.Number("nd_loss_factor") },
                Same("s_emb", "student", "t_emb", "teacher", "centers", "centers", "labels", "y"));
        }),

        new ReferenceEntry("DirectNormLoss (forward -> project_center_v2)", nameof(NormDirectionPerSample), p =>
        {
            p.AllowOnly("nd_loss_factor");
            return new(new NormDirectionPerSample { Factor = p.Number("nd_loss_factor") },
                Same("s_emb", "student", "t_emb", "teacher", "centers", "centers"));
        }),

        CrKd(),

        new ReferenceEntry("CogVideoXT2VAlignLoraTrainer.compute_loss (loss == 'token_relation_distillation'), return[2]",
            nameof(TokenRelationDistillation), p =>
        {
            // The student's tokens come per frame, [B·F, C, H, W]; the loss takes each video's F·H·W tokens.
            p.AllowOnly("margin", "align_dims", "frames", "tokens_per_frame", "batch_size", "proj_coeff_in_trainer");
            var videos = (long)p.Number("batch_size");
            var frames = (long)p.Number("frames");
            var loss = new TokenRelationDistillation { Margin = p.Number("margin", 0.1) };
            return new(loss, Same("student_tokens", "student", "teacher_tokens", "teacher"), inputs =>
            {
                var student = inputs["student_tokens"];
                var channels = student.shape[1];
                var perFrame = student.shape[2] * student.shape[3];
                var tokens = student.reshape(videos, frames, channels, perFrame).permute(0, 1, 3, 2).reshape(videos, frames * perFrame, channels);
                return new Dictionary<string, Tensor> { ["student"] = tokens, ["teacher"] = inputs["teacher_tokens"] };
            });
        }),

        new ReferenceEntry("DPOTrainer._compute_loss (loss_type=['sigmoid'])", $"{nameof(DpoTokens)} or {nameof(DpoForwardKl)}", TrlMainDpoLoss),

        new ReferenceEntry("SimNPO.compute_loss", $"{nameof(SimNpo)} or {nameof(SimNpoTokens)}", p =>
        {
            p.AllowOnly("delta", "beta", "gamma", "alpha", "retain_loss_type");
            p.RequireIfPresent("retain_loss_type", JsonValueKind.String, "NLL");
            var (beta, delta, gamma, alpha) = (p.Number("beta", 1), p.Number("delta", 0), p.Number("gamma", 1), p.Number("alpha", 1));
            if (p.Case.InputNames.Contains("logits"))
                return new(new SimNpoTokens { Beta = beta, Delta = delta, Gamma = gamma, Alpha = alpha },
                    Same("logits", "logits", "labels", "labels", "retain_loss", "retainLoss"));
            return new(new SimNpo { Beta = beta, Delta = delta, Gamma = gamma, Alpha = alpha },
                Same("forget_nll", "forgetNll", "labels", "labels", "retain_loss", "retainLoss"));
        }),

        new ReferenceEntry("DiceLoss", $"{nameof(SelfAdjustingDice)}, {nameof(SelfAdjustingDiceSquared)}, {nameof(SelfAdjustingDiceBinary)} or {nameof(SelfAdjustingDiceBinarySquared)}", ShannonDice),
    };

    /// <summary>Cr-KD's <c>KD</c> with rKD.py's <c>alpha · mean over heads</c>: the case's <c>[V, H, B, ·]</c> logits become
    /// rows (view, head, sample), the new model's logits split at <c>num_labeled_classes</c> into its known-class and
    /// novel-class heads, and <c>mask_lab</c> (1 = labelled) becomes a weight of 1 for every row of an unlabelled sample.</summary>
    private static ReferenceEntry CrKd() =>
        new("KD", nameof(ClassRelationKd), p =>
        {
            p.AllowOnly("num_large_crops", "num_heads", "num_labeled_classes", "num_unlabeled_classes", "temperature", "kd_temperature", "alpha");
            var known = (long)p.Number("num_labeled_classes");
            var loss = new ClassRelationKd
            {
                Temperature = p.Number("temperature", 0.1), KdTemperature = p.Number("kd_temperature", 4), Alpha = p.Number("alpha", 0.1),
            };
            return new(loss, Same("logits", "known", "old_logits", "old", "mask_lab", "unlabelled"), inputs =>
            {
                var logits = inputs["logits"];
                var old = inputs["old_logits"];
                var mask = inputs["mask_lab"];
                var copies = logits.shape[0] * logits.shape[1];
                var novel = logits.shape[^1] - known;
                return new Dictionary<string, Tensor>
                {
                    ["known"] = logits.narrow(-1, 0, known).reshape(-1, known),
                    ["novel"] = logits.narrow(-1, known, novel).reshape(-1, novel),
                    ["old"] = old.reshape(-1, known),
                    ["unlabelled"] = Runtime.Scalars.Eq(mask, 0).to(logits.dtype).repeat(copies),
                };
            });
        });

    private static readonly IReadOnlyDictionary<string, string> Trl = Same(
        "chosen_logps", "chosen", "rejected_logps", "rejected", "ref_chosen_logps", "refChosen", "ref_rejected_logps", "refRejected");

    /// <summary>TRL 0.19.1's <c>DPOTrainer.dpo_loss</c> (then <c>.mean()</c>) for every <c>loss_type</c>, label smoothing
    /// and f-divergence it combines: each maps to one loss of the DPO family. <c>bco_pair</c>'s running mean is
    /// state outside the loss: as the reference does for each call, a <see cref="RunningMoments"/> built from
    /// <c>params.running_state_before</c> takes the batch reward and its new mean is the loss's <c>delta</c> input.</summary>
    internal static MappedLoss TrlDpoLoss(CaseParams p)
    {
        p.AllowOnly("loss_type", "beta", "label_smoothing", "reference_free", "f_divergence_type", "f_divergence_params", "discopop_tau",
            "running_state_before", "running_mean_as_used", "running_state_after");
        p.RequireIfPresent("reference_free", JsonValueKind.False, "false");
        var lossType = p.Text("loss_type", "sigmoid");
        var beta = p.Number("beta", 0.1);
        var smoothing = p.Number("label_smoothing", 0);
        var divergence = p.Text("f_divergence_type", "reverse_kl");
        if (divergence != "reverse_kl" && lossType != "sigmoid")
            throw p.Unsupported($"{p.ShortSymbol} with loss_type = \"{lossType}\" and f_divergence_type = \"{divergence}\"");
        if (lossType != "bco_pair" && (p.Has("running_state_before") || p.Has("running_mean_as_used")))
            throw p.Unsupported($"{p.ShortSymbol} with a running state for loss_type = \"{lossType}\"");
        if (divergence != "alpha_divergence" && p.Has("f_divergence_params"))
            throw p.Unsupported($"{p.ShortSymbol} with params.f_divergence_params");
        ILoss loss = lossType switch
        {
            "sigmoid" => divergence switch
            {
                "reverse_kl" => smoothing == 0 ? new DpoSigmoid { Beta = beta } : new DpoConservative { Beta = beta, LabelSmoothing = smoothing },
                "js_divergence" => new DpoJsDivergence { Beta = beta, LabelSmoothing = smoothing },
                "alpha_divergence" => new DpoAlphaDivergence { Beta = beta, LabelSmoothing = smoothing, Alpha = AlphaCoefficient(p) },
                _ => throw p.Unsupported($"{p.ShortSymbol} with f_divergence_type = \"{divergence}\""),
            },
            "hinge" when smoothing == 0 => new DpoHinge { Beta = beta },
            "ipo" when smoothing == 0 => new DpoIpo { Beta = beta },
            "robust" => new DpoRobust { Beta = beta, LabelSmoothing = smoothing },
            // TRL replaces a label smoothing of 0 by 1e-3 for EXO.
            "exo_pair" => new DpoExoPair { Beta = beta, LabelSmoothing = smoothing == 0 ? 1e-3 : smoothing },
            "bco_pair" => new DpoBcoPair { Beta = beta },
            "sppo_hard" => new DpoSppoHard { Beta = beta },
            "nca_pair" => new DpoNcaPair { Beta = beta },
            "aot" => new DpoAot { Beta = beta, LabelSmoothing = smoothing },
            "aot_pair" => new DpoAotPair { Beta = beta, LabelSmoothing = smoothing },
            "apo_zero" => new DpoApoZero { Beta = beta },
            "apo_down" => new DpoApoDown { Beta = beta },
            "discopop" => new DpoDiscoPop { Beta = beta, Tau = p.Number("discopop_tau", 0.05) },
            _ => throw p.Unsupported($"{p.ShortSymbol} with loss_type = \"{lossType}\"" + (lossType is "hinge" or "ipo" ? $" and label_smoothing = {CaseParams.Format(smoothing)}" : "")),
        };
        if (lossType != "bco_pair") return new(loss, Trl);

        var moments = RunningState(p);
        return new(loss, Trl, inputs =>
        {
            var renamed = Trl.ToDictionary(n => n.Value, n => inputs[n.Key]);
            renamed["delta"] = moments().Update(RunningMoments.BcoRewards(
                renamed["chosen"], renamed["rejected"], renamed["refChosen"], renamed["refRejected"], beta));
            return renamed;
        });
    }

    /// <summary>A fresh <see cref="RunningMoments"/> in <c>params.running_state_before</c> (TRL's initial state when absent),
    /// one per evaluation as the reference builds one per call.</summary>
    private static System.Func<RunningMoments> RunningState(CaseParams p)
    {
        if (!p.Has("running_state_before")) return () => new RunningMoments();
        var state = p.Json.GetProperty("running_state_before");
        double Read(string name, double fallback) => CaseParams.NumberIn(state, "params.running_state_before." + name, name, fallback);
        var (mean, variance, std, count) = (Read("mean", 0), Read("var", 1), Read("std", 1), Read("count", 1e-24));
        return () => new RunningMoments(mean, variance, std, count);
    }

    /// <summary><c>f_divergence_params["alpha_divergence_coef"]</c>, TRL's default 1 when absent.</summary>
    private static double AlphaCoefficient(CaseParams p)
    {
        if (!p.Has("f_divergence_params")) return 1;
        var parameters = p.Json.GetProperty("f_divergence_params");
        if (parameters.ValueKind != JsonValueKind.Object)
            throw new CaseFormatException($"params.f_divergence_params should be an object, but is {CaseFile.Describe(parameters)}");
        var unknown = parameters.EnumerateObject().Select(m => m.Name).Where(n => n != "alpha_divergence_coef").ToList();
        if (unknown.Count > 0) throw p.Unsupported($"{p.ShortSymbol} with f_divergence_params {string.Join(", ", unknown)}");
        return CaseParams.NumberIn(parameters, "params.f_divergence_params.alpha_divergence_coef", "alpha_divergence_coef", 1);
    }

    /// <summary>TRL main's <c>DPOTrainer._compute_loss</c> with one <c>sigmoid</c> loss type. The reference case feeds it a stub
    /// model that turns each sequence log-probability lp into one completion token with logits <c>[lp, log(1 − e^lp)]</c>
    /// over two words; for the reverse KL the adapter builds the same causal-LM batch (a prompt token, then that
    /// completion token under a completion mask) and runs <see cref="DpoTokens"/> on it, so the token path (the shifted
    /// gather, the masked sum) is what is checked; the forward KL maps to <see cref="DpoForwardKl"/> on the log-probabilities.</summary>
    private static MappedLoss TrlMainDpoLoss(CaseParams p)
    {
        p.AllowOnly("loss_type", "beta", "f_divergence_type", "label_smoothing");
        p.RequireIfPresent("loss_type", JsonValueKind.String, "sigmoid");
        var beta = p.Number("beta", 0.1);
        var smoothing = p.Number("label_smoothing", 0);
        var divergence = p.Text("f_divergence_type", "reverse_kl");
        if (divergence == "forward_kl") return new(new DpoForwardKl { Beta = beta, LabelSmoothing = smoothing }, Trl);
        if (divergence != "reverse_kl") throw p.Unsupported($"{p.ShortSymbol} with f_divergence_type = \"{divergence}\"");
        var names = Trl.ToDictionary(n => n.Key, n => n.Value);
        return new(new DpoTokens { Beta = beta, LabelSmoothing = smoothing }, names, inputs =>
        {
            var batch = new Dictionary<string, Tensor> { ["refChosen"] = inputs["ref_chosen_logps"], ["refRejected"] = inputs["ref_rejected_logps"] };
            foreach (var (side, logps) in new[] { ("chosen", inputs["chosen_logps"]), ("rejected", inputs["rejected_logps"]) })
            {
                // Position 0 (the prompt token) holds the stub's logits; they predict the completion token (word 0) at position 1.
                var stub = stack(new[] { logps, logps.exp().neg().log1p() }, -1);
                batch[side + "Logits"] = stack(new[] { stub, zeros_like(stub) }, 1);
                batch[side + "Tokens"] = zeros(logps.shape[0], 2, ScalarType.Int64);
                batch[side + "Mask"] = stack(new[] { zeros_like(logps), ones_like(logps) }, 1);
            }
            return batch;
        });
    }

    /// <summary>ShannonAI's <c>DiceLoss</c> (with logits, mean reduction): multi-class on <c>[N, C]</c> logits and class ids,
    /// binary on <c>[N, 1]</c> logits with an optional mask and OHEM. The binary inputs become vectors; OHEM's choice of
    /// negatives (<see cref="DiceOhem.KeepMask"/>) becomes the loss's mask, as the reference multiplies both in.</summary>
    private static MappedLoss ShannonDice(CaseParams p)
    {
        p.AllowOnly("smooth", "alpha", "square_denominator", "with_logits", "ohem_ratio", "index_label_position", "reduction");
        p.RequireIfPresent("with_logits", JsonValueKind.True, "true");
        p.RequireIfPresent("reduction", JsonValueKind.String, "mean");
        var (smooth, alpha, ohem) = (p.Number("smooth", 1e-4), p.Number("alpha", 0), p.Number("ohem_ratio", 0));
        var square = p.Has("square_denominator") && p.Json.GetProperty("square_denominator").ValueKind == JsonValueKind.True;
        var classes = CaseTensors.Input(p.Case, "input").Shape[^1];
        if (classes > 1)
        {
            p.RequireIfPresent("index_label_position", JsonValueKind.True, "true");
            if (ohem > 0) throw p.Unsupported($"{p.ShortSymbol} multi-class with ohem_ratio = {CaseParams.Format(ohem)}");
            if (p.Case.InputNames.Contains("mask")) throw p.Unsupported($"{p.ShortSymbol} multi-class with a mask");
            ILoss multi = square ? new SelfAdjustingDiceSquared { Smooth = smooth, Alpha = alpha } : new SelfAdjustingDice { Smooth = smooth, Alpha = alpha };
            return new(multi, Same("input", "logits", "target", "target"));
        }
        ILoss binary = square ? new SelfAdjustingDiceBinarySquared { Smooth = smooth, Alpha = alpha } : new SelfAdjustingDiceBinary { Smooth = smooth, Alpha = alpha };
        return new(binary, Same("input", "logits", "target", "target", "mask", "mask"), inputs =>
        {
            var logits = inputs["input"].reshape(-1);
            var target = inputs["target"].reshape(-1).to(ScalarType.Float64);
            var mask = inputs.TryGetValue("mask", out var m) ? m.reshape(-1).to(ScalarType.Float64) : ones_like(logits).detach();
            if (ohem > 0) mask = DiceOhem.KeepMask(logits, target, ohem, mask);
            return new Dictionary<string, Tensor> { ["logits"] = logits, ["target"] = target, ["mask"] = mask };
        });
    }

    /// <summary>DETR's <c>SetCriterion</c> with its Hungarian matcher: the case's per-image targets
    /// (<c>labels_b</c>, <c>boxes_b</c>) are concatenated, the queries flattened, each tagged with its image; the case
    /// value is <c>Σ_k weight_dict[k]·loss_k</c>, so a loss absent from <c>weight_dict</c> weighs 0.</summary>
    private static ReferenceEntry Detr() =>
        new("SetCriterion (matcher: models/matcher.py HungarianMatcher)", nameof(DetrSetCriterion), p =>
        {
            p.AllowOnly("num_classes", "num_queries", "batch_size", "eos_coef", "set_cost_class", "set_cost_bbox", "set_cost_giou",
                "weight_dict", "losses");
            var classes = (int)p.Number("num_classes");
            var images = (int)p.Number("batch_size");
            var eos = p.Number("eos_coef", 0.1);
            var weights = p.Json.GetProperty("weight_dict");
            double Weight(string key) => weights.TryGetProperty(key, out var w) ? CaseTensors.ReadDouble(w, "params.weight_dict." + key) : 0;
            var loss = new DetrSetCriterion
            {
                CostClass = p.Number("set_cost_class", 1), CostBbox = p.Number("set_cost_bbox", 5),
                CostGiou = p.Number("set_cost_giou", 2),
                ClassWeight = Weight("loss_ce"), BoxWeight = Weight("loss_bbox"), GiouWeight = Weight("loss_giou"),
            };
            var names = new Dictionary<string, string> { ["pred_logits"] = "queryLogits", ["pred_boxes"] = "queryBoxes" };
            for (var b = 0; b < images; b++) { names[$"labels_{b}"] = "targetLabels"; names[$"boxes_{b}"] = "targetBoxes"; }
            return new(loss, names, inputs =>
            {
                var logits = inputs["pred_logits"];
                var queries = logits.shape[1];
                var labels = Enumerable.Range(0, images).Select(b => inputs[$"labels_{b}"]).ToArray();
                return new Dictionary<string, Tensor>
                {
                    ["queryLogits"] = logits.reshape(-1, logits.shape[2]),
                    ["queryBoxes"] = inputs["pred_boxes"].reshape(-1, 4),
                    ["queryImage"] = arange(images, ScalarType.Int64).repeat_interleave(queries),
                    ["targetLabels"] = cat(labels, 0),
                    ["targetBoxes"] = cat(Enumerable.Range(0, images).Select(b => inputs[$"boxes_{b}"]).ToArray(), 0),
                    ["targetImage"] = cat(labels.Select((l, b) => full(l.shape[0], b, ScalarType.Int64)).ToArray(), 0),
                    ["classWeights"] = cat(new[] { ones(classes, ScalarType.Float64), Runtime.Scalars.Full(new long[] { 1 }, eos, ScalarType.Float64, CPU) }, 0),
                };
            });
        });

    /// <summary>The RotatE authors' <c>KGEModel.train_step</c> with one scoring function: the negative entity ids
    /// become negative triples (the head replaced in head-batch mode, the tail in tail-batch), and
    /// <c>uni_weight</c> becomes weights of 1.</summary>
    private static ReferenceEntry KnowledgeGraph(string model, System.Func<CaseParams, ILoss> create) =>
        new($"KGEModel.train_step (+ KGEModel.{model})", model, p =>
        {
            p.AllowOnly("model_name", "nentity", "nrelation", "hidden_dim", "gamma", "double_entity_embedding",
                "double_relation_embedding", "mode", "negative_adversarial_sampling", "adversarial_temperature", "uni_weight",
                "regularization", "embedding_range_as_used", "gamma_as_used");
            p.RequireIfPresent("double_relation_embedding", JsonValueKind.False, "false");
            var mode = p.Text("mode");
            if (mode is not ("head-batch" or "tail-batch")) throw p.Unsupported($"{p.ShortSymbol} in mode \"{mode}\"");
            var uniform = p.Has("uni_weight") && p.Json.GetProperty("uni_weight").ValueKind == JsonValueKind.True;
            return new(create(p), Same("entity_embedding", "entities", "relation_embedding", "relations"), inputs =>
            {
                var positives = inputs["positive_sample"];
                var negatives = inputs["negative_sample"];
                var k = negatives.shape[1];
                var repeated = positives.unsqueeze(1).expand(positives.shape[0], k, 3);
                var replaced = mode == "head-batch" ? 0 : 2;
                var columns = Enumerable.Range(0, 3).Select(col => col == replaced ? negatives : repeated.select(2, col)).ToArray();
                var weights = inputs["subsampling_weight"];
                return new Dictionary<string, Tensor>
                {
                    ["entities"] = inputs["entity_embedding"],
                    ["relations"] = inputs["relation_embedding"],
                    ["positives"] = positives,
                    ["negatives"] = stack(columns, 2),
                    ["weights"] = uniform ? ones_like(weights) : weights,
                };
            });
        });

    /// <summary>The self-adversarial temperature, or 0 (equal weights) without self-adversarial sampling.</summary>
    private static double Adversarial(CaseParams p) =>
        p.Has("negative_adversarial_sampling") && p.Json.GetProperty("negative_adversarial_sampling").ValueKind == JsonValueKind.True
            ? p.Number("adversarial_temperature", 1)
            : 0;

    private static IReadOnlyDictionary<string, string> Same(params string[] pairs) =>
        Enumerable.Range(0, pairs.Length / 2).ToDictionary(i => pairs[2 * i], i => pairs[2 * i + 1]);
}
