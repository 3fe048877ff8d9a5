using System;
using System.IO;
using System.Linq;
using LossDsl.Runtime;
using LossDsl.Zoo;
using static TorchSharp.torch;

namespace LossDsl.Tests.Runtime;

public sealed class LossHistoryTests
{
    private static LossResult Kd(int seed)
    {
        using var generator = new TorchSharp.torch.Generator((ulong)seed);
        var student = randn(new long[] { 6, 4 }, ScalarType.Float64, generator: generator);
        var teacher = randn(new long[] { 6, 4 }, ScalarType.Float64, generator: generator);
        return new HintonKd().Compute(new System.Collections.Generic.Dictionary<string, Tensor> { ["student"] = student, ["teacher"] = teacher });
    }

    [Fact]
    public void Records_every_terms_raw_and_weighted_value_and_averages_epochs()
    {
        var history = new LossHistory();
        double[] totals = new double[3];
        for (var s = 0; s < 3; s++)
        {
            using var result = Kd(s);
            totals[s] = result.Total.item<double>();
            var step = history.Record(result, epoch: s < 2 ? 1 : 2);
            Assert.Equal(s + 1, step.Step);
            for (var k = 0; k < result.Terms.Count; k++)
            {
                Assert.Equal(result.Terms[k].Raw.item<double>(), step.Raw[k]);
                Assert.Equal(result.Terms[k].Weighted.item<double>(), step.Weighted[k]);
            }
        }
        Assert.Equal(new HintonKd().Trace().Terms.Select(t => t.Name), history.Terms);
        var epochs = history.Epochs();
        Assert.Equal(new[] { 1, 2 }, epochs.Select(e => e.Epoch));
        Assert.Equal((totals[0] + totals[1]) / 2, epochs[0].Total, 12);
        Assert.Equal(totals[2], epochs[1].Total, 12);
        Assert.StartsWith("epoch 1: total ", history.FormatEpoch(1));
    }

    [Fact]
    public void Csv_has_a_header_and_one_round_tripping_row_per_step()
    {
        var history = new LossHistory();
        using (var a = Kd(1)) history.Record(a, 1);
        using (var b = Kd(2)) history.Record(b, 2);
        var writer = new StringWriter();
        history.WriteCsv(writer);
        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("step,epoch,total," + string.Join(",", history.Terms.Select(t => $"{t}_raw,{t}_weighted")), lines[0]);
        Assert.Equal(3, lines.Length);
        var cells = lines[2].Split(',');
        Assert.Equal("2", cells[0]);
        Assert.Equal(history.Steps[1].Total, double.Parse(cells[2], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void A_result_of_another_loss_is_refused()
    {
        var history = new LossHistory();
        using (var a = Kd(1)) history.Record(a, 1);
        using var other = new LossResult(zeros(Array.Empty<long>()), new[] { new TermValue("Other", 1, zeros(Array.Empty<long>()), zeros(Array.Empty<long>())) });
        Assert.Throws<ArgumentException>(() => history.Record(other, 1));
    }
}
