using System.Linq;

namespace LossDsl.Tests.Cli;

/// <summary>Issue 12's acceptance: <c>lossdsl check cases.json</c> on the whole reference file.</summary>
public sealed class ReferenceCasesFileTests
{
    /// <summary>The cases issue 12 required to pass.</summary>
    public static readonly string[] Required =
    {
        "pml_ntxent_t0.07_n12_d5_c3", "pml_ntxent_t0.5_n12_d5_c3",
        "pml_ntxent_t0.07_twoviews_n12_d5_c3", "pml_ntxent_t0.5_twoviews_n12_d5_c3",
        "pml_supcon_t0.1_n12_d5_c3",
        "pml_triplet_m0.2_all_n12_d5_c3", "pml_triplet_m0.2_hardminer_n12_d5_c3",
        "rkd_distance_only_n12_ds5_dt7",
        "kd_hinton_T4_n12_c10", "kd_hinton_T1_n12_c10",
    };

    /// <summary>The cases LossDsl's zoo covers: the required ones, then those of the losses added since
    /// (pytorch-metric-learning's ContrastiveLoss and MultiSimilarityLoss, TRL's DPO sigmoid / hinge / IPO, NPO).</summary>
    public static readonly string[] Supported = Required.Concat(new[]
    {
        "pml_contrastive_pm0_nm1_n12_d5_c3", "pml_multisimilarity_n12_d5_c3",
        "dpo_sigmoid_beta0.1_b8", "dpo_hinge_beta0.1_b8", "dpo_ipo_beta0.1_b8", "dpo_sigmoid_beta0.5_b8",
        "npo_beta0.1_b8", "npo_beta1_b8",
    }).ToArray();

    [Fact]
    public void The_required_cases_are_among_the_supported_ones()
    {
        Assert.Equal(10, Required.Length);
        Assert.Subset(Supported.ToHashSet(), Required.ToHashSet());
        Assert.Equal(18, Supported.Distinct().Count());
    }

    [Fact]
    public void The_supported_cases_pass_and_the_others_are_reported_unsupported()
    {
        var run = CliRun.Args("check", ReferenceCases.Path);

        foreach (var name in Supported)
            Assert.StartsWith("PASS  ", run.CaseLine(name));
        var caseLines = run.Lines.Take(run.Lines.Count - 1).ToList();
        var others = caseLines.Where(l => !Supported.Any(s => l[6..].StartsWith(s + " "))).ToList();
        Assert.All(others, l => Assert.Matches(@"^SKIP  \S+ +not yet supported: ", l));
        Assert.Equal($"{Supported.Length} passed, 0 failed, {others.Count} unsupported", run.LastLine);
        Assert.Equal(1, run.ExitCode); // unsupported cases are not a success
        Assert.Equal("", run.Error);
    }
}
