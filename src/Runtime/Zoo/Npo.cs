using static LossDsl.Dsl;

namespace LossDsl.Zoo
{
    /// <summary>Negative Preference Optimization for unlearning (Zhang et al., 2024), as the authors'
    /// <c>CustomTrainerForgetting.compute_loss</c> with <c>loss_type == "npo"</c> (TOFU/dataloader.py):
    /// <c>−(2/β) · mean_i log σ(−β·(policy_i − reference_i))</c>, where <c>policy</c> and <c>reference</c> are
    /// the per-sequence summed token log-probabilities of the forget samples under the model being trained
    /// and under the reference model (the authors' <c>neg_log_ratios = NLL_policy − NLL_ref</c>). The reference
    /// log-probabilities are not frozen here: in training pass constants (computed without gradient), or use
    /// [Frozen] in your own loss.</summary>
    [Loss]
    public partial class Npo
    {
        /// <summary>The inverse temperature β (0.1, the value of the authors' TOFU runs).</summary>
        [Hyper, Temperature] public double Beta { get; set; } = 0.1;

        [Term]
        Real Forget(Vector policy, Vector reference) =>
            -LogSigmoid(Beta * (reference - policy)).Mean() * 2 / Beta;
    }
}
