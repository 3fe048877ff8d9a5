using static LossDsl.Dsl;

namespace LossDsl.Zoo
{
    /// <summary>Knowledge distillation (Hinton et al., 2015), as RepDistiller's <c>DistillKL(T)</c>:
    /// <c>T² · (1/N) Σ_i KL(softmax(t_i / T) ‖ softmax(s_i / T))</c>. The teacher is not frozen here, as in
    /// the reference; pass teacher logits computed without gradient (or use [Frozen] in your own loss).</summary>
    [Loss]
    public partial class HintonKd
    {
        /// <summary>Softening temperature (RepDistiller's default 4).</summary>
        [Hyper, Temperature] public double T { get; set; } = 4;

        [Term]
        Real Kd(Logits student, Logits teacher) =>
            KL(Softmax(teacher, T), LogSoftmax(student, T)) * (T * T);
    }
}
