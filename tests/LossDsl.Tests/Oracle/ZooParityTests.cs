using System.Collections.Generic;
using LossDsl.Runtime;
using LossDsl.Zoo;
using Xunit.Abstractions;

namespace LossDsl.Tests.Oracle;

/// <summary>The zoo reproduces the reference implementations (pytorch-metric-learning, RepDistiller, TRL's
/// <c>dpo_loss</c>, the NPO authors' loss) in
/// float64, value and every gradient, along all three paths: the generated code with its fused kernels,
/// the generated code unfused, and the interpreter running the IR the term bodies trace.</summary>
public sealed class ZooParityTests
{
    private static readonly Dictionary<string, string> Pml = new() { ["z"] = "embeddings", ["y"] = "labels" };
    private static readonly Dictionary<string, string> Distill = new() { ["student"] = "f_s", ["teacher"] = "f_t" };
    private static readonly Dictionary<string, string> Kd = new() { ["student"] = "y_s", ["teacher"] = "y_t" };
    private static readonly Dictionary<string, string> Dpo = new()
    {
        ["chosen"] = "chosen_logps", ["rejected"] = "rejected_logps",
        ["refChosen"] = "ref_chosen_logps", ["refRejected"] = "ref_rejected_logps",
    };
    private static readonly Dictionary<string, string> NpoInputs = new() { ["policy"] = "logp_policy", ["reference"] = "logp_ref" };

    private readonly ITestOutputHelper _output;

    public ZooParityTests(ITestOutputHelper output) => _output = output;

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var name in new[]
                 {
                     "pml_ntxent_t0.07_n12_d5_c3", "pml_ntxent_t0.5_n12_d5_c3",
                     "pml_ntxent_t0.07_twoviews_n12_d5_c3", "pml_ntxent_t0.5_twoviews_n12_d5_c3",
                     "pml_supcon_t0.1_n12_d5_c3", "pml_triplet_m0.2_all_n12_d5_c3",
                     "pml_triplet_m0.2_hardminer_n12_d5_c3", "rkd_distance_only_n12_ds5_dt7",
                     "kd_hinton_T4_n12_c10", "kd_hinton_T1_n12_c10",
                     "pml_contrastive_pm0_nm1_n12_d5_c3", "pml_multisimilarity_n12_d5_c3",
                     "dpo_sigmoid_beta0.1_b8", "dpo_hinge_beta0.1_b8", "dpo_ipo_beta0.1_b8", "dpo_sigmoid_beta0.5_b8",
                     "npo_beta0.1_b8", "npo_beta1_b8",
                 })
            foreach (var path in new[] { "fused", "unfused", "interpreted" })
                data.Add(name, path);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Zoo_loss_matches_the_reference(string name, string path)
    {
        var c = OracleCase.Get(name);
        var (loss, names) = ZooLossFor(c);
        OracleRun.Check(c, OracleRun.Errors(c, names, Compute(loss, path)), _output);
    }

    /// <summary>The zoo loss standing for a case's reference, with the case's hyper-parameters, and the
    /// map from its input names to the case's.</summary>
    public static (ILoss Loss, Dictionary<string, string> Names) ZooLossFor(OracleCase c) => c.Name switch
    {
        _ when c.Name.StartsWith("pml_ntxent") => (new NtXent { Temperature = c.Param("temperature") }, Pml),
        _ when c.Name.StartsWith("pml_supcon") => (new SupCon { Temperature = c.Param("temperature") }, Pml),
        _ when c.Name.Contains("hardminer") => (new TripletHardMined { Margin = c.Param("margin") }, Pml),
        _ when c.Name.StartsWith("pml_triplet") => (new TripletMargin { Margin = c.Param("margin") }, Pml),
        _ when c.Name.StartsWith("rkd_distance") => (new RkdDistance { DistanceWeight = c.Param("w_d") }, Distill),
        _ when c.Name.StartsWith("kd_hinton") => (new HintonKd { T = c.Param("T") }, Kd),
        _ when c.Name.StartsWith("pml_contrastive") =>
            (new Contrastive { PosMargin = c.Param("pos_margin"), NegMargin = c.Param("neg_margin") }, Pml),
        _ when c.Name.StartsWith("pml_multisimilarity") =>
            (new MultiSimilarity { Alpha = c.Param("alpha"), Beta = c.Param("beta"), Base = c.Param("base") }, Pml),
        _ when c.Name.StartsWith("dpo_sigmoid") => (new DpoSigmoid { Beta = c.Param("beta") }, Dpo),
        _ when c.Name.StartsWith("dpo_hinge") => (new DpoHinge { Beta = c.Param("beta") }, Dpo),
        _ when c.Name.StartsWith("dpo_ipo") => (new DpoIpo { Beta = c.Param("beta") }, Dpo),
        _ when c.Name.StartsWith("npo") => (new Npo { Beta = c.Param("beta") }, NpoInputs),
        _ => throw new System.ArgumentException("no zoo loss for " + c.Name),
    };

    public static System.Func<IReadOnlyDictionary<string, TorchSharp.torch.Tensor>, LossResult> Compute(ILoss loss, string path)
    {
        if (path == "interpreted") return inputs => IrInterpreter.Evaluate(loss.Trace(), inputs, lossName: loss.Name);
        loss.UseFusedKernels = path == "fused";
        return loss.Compute;
    }
}
