using System;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using LossDsl.Cli;

namespace LossDsl.Tests.Cli;

/// <summary><c>lossdsl check</c> run in-process on case files built from the real reference cases.</summary>
public sealed class CheckCommandTests
{
    private const string NtXentCase = "pml_ntxent_t0.07_n12_d5_c3";

    [Fact]
    public void A_real_case_passes_with_exit_0()
    {
        var run = CliRun.OnCases(ReferenceCases.Copy(NtXentCase));

        Assert.Equal(0, run.ExitCode);
        var line = run.CaseLine(NtXentCase);
        Assert.StartsWith("PASS  ", line);
        Assert.Contains("NtXent(Temperature=0.07)", line);
        Assert.Contains("max rel err", line);
        Assert.Equal("1 passed, 0 failed, 0 unsupported", run.LastLine);
        Assert.Equal("", run.Error);
    }

    [Fact]
    public void A_loss_value_off_by_1e_6_relative_fails_with_exit_1()
    {
        var c = ReferenceCases.Copy(NtXentCase);
        c["loss"] = c["loss"]!.GetValue<double>() * (1 + 1e-6);

        var run = CliRun.OnCases(c);

        Assert.Equal(1, run.ExitCode);
        var line = run.CaseLine(NtXentCase);
        Assert.StartsWith("FAIL  ", line);
        Assert.Contains("in loss", line);
        Assert.Equal("0 passed, 1 failed, 0 unsupported", run.LastLine);
    }

    [Fact]
    public void A_gradient_entry_off_fails_and_names_the_gradient()
    {
        var c = ReferenceCases.Copy(NtXentCase);
        var row = c["grads"]!["embeddings"]![2]!.AsArray();
        row[1] = row[1]!.GetValue<double>() + 1e-6;

        var run = CliRun.OnCases(c);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("in grad embeddings", run.CaseLine(NtXentCase));
    }

    [Fact]
    public void The_tolerance_option_decides()
    {
        var c = ReferenceCases.Copy(NtXentCase);
        c["loss"] = c["loss"]!.GetValue<double>() * (1 + 1e-6);

        var run = CliRun.OnCases(new[] { c }, "--tolerance", "1e-5");

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("PASS  ", run.CaseLine(NtXentCase));
    }

    [Fact]
    public void An_unknown_reference_is_skipped_as_unsupported_with_exit_1()
    {
        var c = ReferenceCases.Copy(NtXentCase);
        c["name"] = "fancy";
        c["source"]!["symbol"] = "my_lib.losses.FancyLoss";

        var run = CliRun.OnCases(c);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("SKIP  fancy  not yet supported: my_lib.losses.FancyLoss", run.CaseLine("fancy"));
        Assert.Equal("0 passed, 0 failed, 1 unsupported", run.LastLine);
    }

    [Fact]
    public void Rkd_with_another_smooth_l1_threshold_is_unsupported()
    {
        var c = ReferenceCases.Copy("rkd_combined_wd25_wa50_n12_ds5_dt7");
        c["params"]!["smooth_l1_beta"] = 2.0;

        var run = CliRun.OnCases(c);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("not yet supported", run.CaseLine("rkd_combined_wd25_wa50_n12_ds5_dt7"));
        Assert.Contains("smooth_l1_beta", run.CaseLine("rkd_combined_wd25_wa50_n12_ds5_dt7"));
    }

    [Fact]
    public void Params_the_loss_does_not_compute_make_the_case_unsupported()
    {
        var c = ReferenceCases.Copy("pml_triplet_m0.2_hardminer_n12_d5_c3");
        c["params"]!["miner"]!["type_of_triplets"] = "semihard";

        var run = CliRun.OnCases(c);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("SKIP", run.CaseLine("pml_triplet_m0.2_hardminer_n12_d5_c3"));
        Assert.Contains("semihard", run.CaseLine("pml_triplet_m0.2_hardminer_n12_d5_c3"));
    }

    [Fact]
    public void A_missing_input_fails_and_names_it()
    {
        var c = ReferenceCases.Copy(NtXentCase);
        c["inputs"]!.AsObject().Remove("labels");

        var run = CliRun.OnCases(c);

        Assert.Equal(1, run.ExitCode);
        var line = run.CaseLine(NtXentCase);
        Assert.StartsWith("FAIL  ", line);
        Assert.Contains("'labels'", line);
    }

    [Fact]
    public void An_exception_from_Compute_is_a_failure_line_not_a_crash()
    {
        // Embeddings of rank 1: the loss's input validation throws LossInputException.
        var c = ReferenceCases.Copy(NtXentCase);
        var flat = new JsonArray(c["inputs"]!["embeddings"]!.AsArray().SelectMany(r => r!.AsArray()).Select(v => (JsonNode?)v!.GetValue<double>()).ToArray());
        c["inputs"]!["embeddings"] = flat;
        c["input_shapes"]!.AsObject().Remove("embeddings");

        var run = CliRun.OnCases(c);

        Assert.Equal(1, run.ExitCode);
        var line = run.CaseLine(NtXentCase);
        Assert.StartsWith("FAIL  ", line);
        Assert.Contains("LossInputException", line);
    }

    [Fact]
    public void A_gradient_recorded_for_a_frozen_input_fails()
    {
        // RkdDistance freezes the teacher; a case claiming a teacher gradient cannot be matched.
        var c = ReferenceCases.Copy("rkd_distance_only_n12_ds5_dt7");
        c["grad_inputs"] = new JsonArray("f_s", "f_t");
        c["grads"]!["f_t"] = c["inputs"]!["f_t"]!.DeepClone();

        var run = CliRun.OnCases(c);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("in grad f_t", run.CaseLine("rkd_distance_only_n12_ds5_dt7"));
    }

    [Fact]
    public void Malformed_cases_fail_one_by_one_and_the_others_still_run()
    {
        var ragged = ReferenceCases.Copy(NtXentCase);
        ragged["name"] = "ragged";
        ragged["inputs"]!["embeddings"]![3]!.AsArray().RemoveAt(0);
        var noLoss = ReferenceCases.Copy(NtXentCase);
        noLoss["name"] = "no_loss";
        noLoss.Remove("loss");
        var noSource = ReferenceCases.Copy(NtXentCase);
        noSource["name"] = "no_source";
        noSource.Remove("source");

        var run = CliRun.OnCases(new JsonNode[] { ragged, noLoss, noSource, JsonValue.Create(42), ReferenceCases.Copy(NtXentCase) });

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("FAIL  ragged", run.CaseLine("ragged"));
        Assert.Contains("ragged", run.CaseLine("ragged")[10..]);
        Assert.Contains("no \"loss\"", run.CaseLine("no_loss"));
        Assert.Contains("no \"source\"", run.CaseLine("no_source"));
        Assert.Contains("malformed case", run.CaseLine("case #4"));
        Assert.StartsWith("PASS  ", run.CaseLine(NtXentCase));
        Assert.Equal("1 passed, 4 failed, 0 unsupported", run.LastLine);
    }

    [Theory]
    [InlineData("{\"cases\": [", 2)]
    [InlineData("{\"meta\": {}}", 2)]
    [InlineData("not json at all", 2)]
    [InlineData("{\"cases\": []}", 1)]
    public void A_malformed_file_is_an_error_not_an_exception(string text, int exitCode)
    {
        var run = CliRun.OnText(text);

        Assert.Equal(exitCode, run.ExitCode);
        Assert.StartsWith("lossdsl: ", run.Error);
    }

    [Fact]
    public void A_missing_file_is_an_error_with_exit_2()
    {
        var run = CliRun.Args("check", Path.Combine(Path.GetTempPath(), "no-such-dir-" + Guid.NewGuid(), "cases.json"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("cannot read", run.Error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("verify|x.json")]
    [InlineData("check")]
    [InlineData("check|x.json|--tolerance")]
    [InlineData("check|x.json|--tolerance|-1")]
    [InlineData("check|x.json|--tolerance|abc")]
    [InlineData("check|x.json|--frobnicate")]
    [InlineData("check|x.json|y.json")]
    public void Usage_errors_exit_2_on_stderr(string commandLine)
    {
        var run = CliRun.Args(commandLine.Split('|', StringSplitOptions.RemoveEmptyEntries));

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("", run.Output);
        Assert.Contains("Usage: lossdsl check", run.Error);
    }

    [Fact]
    public void Help_explains_the_error_measure_and_exits_0()
    {
        var run = CliRun.Args("--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("max_k |a_k - b_k| / max(max_k |b_k|", run.Output);
        Assert.Contains("--tolerance", run.Output);
    }

    [Fact]
    public void Verbose_prints_each_compared_quantity()
    {
        var run = CliRun.OnCases(new[] { ReferenceCases.Copy(NtXentCase) }, "--verbose");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains(run.Lines, l => l.TrimStart().StartsWith("loss ", StringComparison.Ordinal) && l.Contains("reference"));
        Assert.Contains(run.Lines, l => l.TrimStart().StartsWith("grad embeddings", StringComparison.Ordinal));
    }

    [Fact]
    public void Unfused_runs_the_same_cases()
    {
        var run = CliRun.OnCases(new[] { ReferenceCases.Copy(NtXentCase), ReferenceCases.Copy("pml_supcon_t0.1_n12_d5_c3") }, "--unfused");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("2 passed, 0 failed, 0 unsupported", run.LastLine);
    }

    [Fact]
    public void The_preference_and_pair_losses_pass_fused_and_unfused()
    {
        var names = new[]
        {
            "pml_contrastive_pm0_nm1_n12_d5_c3", "pml_multisimilarity_n12_d5_c3",
            "dpo_sigmoid_beta0.1_b8", "dpo_hinge_beta0.1_b8", "dpo_ipo_beta0.1_b8", "npo_beta1_b8",
        };
        foreach (var options in new[] { Array.Empty<string>(), new[] { "--unfused" } })
        {
            var run = CliRun.OnCases(names.Select(n => (JsonNode)ReferenceCases.Copy(n)), options);

            Assert.Equal(0, run.ExitCode);
            Assert.Contains("Contrastive(PosMargin=0, NegMargin=1)", run.CaseLine("pml_contrastive_pm0_nm1_n12_d5_c3"));
            Assert.Contains("MultiSimilarity(Alpha=2, Beta=50, Base=0.5)", run.CaseLine("pml_multisimilarity_n12_d5_c3"));
            Assert.Contains("DpoSigmoid(Beta=0.1)", run.CaseLine("dpo_sigmoid_beta0.1_b8"));
            Assert.Contains("DpoHinge(Beta=0.1)", run.CaseLine("dpo_hinge_beta0.1_b8"));
            Assert.Contains("DpoIpo(Beta=0.1)", run.CaseLine("dpo_ipo_beta0.1_b8"));
            Assert.Contains("Npo(Beta=1)", run.CaseLine("npo_beta1_b8"));
            Assert.Equal($"{names.Length} passed, 0 failed, 0 unsupported", run.LastLine);
        }
    }

    [Theory]
    [InlineData("loss_type", "\"kto_pair\"", "dpo_loss with loss_type = \"kto_pair\"")]
    [InlineData("reference_free", "true", "dpo_loss with reference_free = true")]
    [InlineData("f_divergence_type", "\"chi_squared\"", "dpo_loss with f_divergence_type = \"chi_squared\"")]
    [InlineData("f_divergence_params", "{\"alpha_divergence_coef\": 0.5}", "dpo_loss with params.f_divergence_params")]
    public void Dpo_params_the_zoo_does_not_compute_make_the_case_unsupported(string param, string json, string reason)
    {
        var c = ReferenceCases.Copy("dpo_sigmoid_beta0.1_b8");
        c["params"]![param] = JsonNode.Parse(json);

        var run = CliRun.OnCases(c);

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith($"SKIP  dpo_sigmoid_beta0.1_b8  not yet supported: DPOTrainer.{reason}", run.CaseLine("dpo_sigmoid_beta0.1_b8"));
        Assert.Equal("0 passed, 0 failed, 1 unsupported", run.LastLine);
    }

    [Fact]
    public void Dpo_without_loss_type_and_beta_is_trls_default_sigmoid_with_beta_0_1()
    {
        var c = ReferenceCases.Copy("dpo_sigmoid_beta0.1_b8");
        c["params"] = new JsonObject();

        var run = CliRun.OnCases(c);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("DpoSigmoid(Beta=0.1)", run.CaseLine("dpo_sigmoid_beta0.1_b8"));
    }

    [Fact]
    public void Npo_without_beta_fails_as_the_reference_has_no_default()
    {
        var c = ReferenceCases.Copy("npo_beta1_b8");
        c["params"]!.AsObject().Remove("beta");

        var run = CliRun.OnCases(c);

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("FAIL  ", run.CaseLine("npo_beta1_b8"));
        Assert.Contains("params.beta is missing", run.CaseLine("npo_beta1_b8"));
    }

    [Fact]
    public void An_input_the_loss_has_no_counterpart_for_names_the_reference_briefly()
    {
        var c = ReferenceCases.Copy("dpo_hinge_beta0.1_b8");
        c["inputs"]!["chosen_lengths"] = new JsonArray(1, 2, 3, 4, 5, 6, 7, 8);

        var run = CliRun.OnCases(c);

        Assert.Equal("SKIP  dpo_hinge_beta0.1_b8  not yet supported: DPOTrainer.dpo_loss with input 'chosen_lengths'",
            run.CaseLine("dpo_hinge_beta0.1_b8"));
    }

    [Theory]
    [InlineData("pos_loss", "MeanReducer", "reducer MeanReducer for pos_loss")]
    [InlineData("neg_loss", "DivisorReducer", "reducer DivisorReducer for neg_loss")]
    public void Contrastive_with_another_sub_reducer_is_unsupported(string subLoss, string reducer, string reason)
    {
        var c = ReferenceCases.Copy("pml_contrastive_pm0_nm1_n12_d5_c3");
        c["defaults"]!["reducer"]!["reducers"]![subLoss]!["class"] = reducer;

        var run = CliRun.OnCases(c);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("not yet supported: ContrastiveLoss with " + reason, run.CaseLine("pml_contrastive_pm0_nm1_n12_d5_c3"));
    }

    [Fact]
    public void Contrastive_with_a_cosine_distance_is_unsupported()
    {
        var c = ReferenceCases.Copy("pml_contrastive_pm0_nm1_n12_d5_c3");
        c["defaults"]!["distance"]!["class"] = "CosineSimilarity";

        var run = CliRun.OnCases(c);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("not yet supported: ContrastiveLoss with distance CosineSimilarity", run.CaseLine("pml_contrastive_pm0_nm1_n12_d5_c3"));
    }
}
