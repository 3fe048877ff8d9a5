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
