using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Runtime;
using ScottPlot;

namespace LossDsl.Examples;

/// <summary>PNG plots (ScottPlot): per-term loss curves, accuracy curves and 2-D embeddings coloured by class.
/// Each method writes the file and returns its path.</summary>
public static class Plots
{
    private const int Width = 1000;

    /// <summary>One panel per run: each term's weighted value (mean per epoch) and the total, against the epoch.</summary>
    public static string LossCurves(string path, string title, IReadOnlyList<(string Run, LossHistory History)> runs)
    {
        var multiplot = new Multiplot();
        multiplot.AddPlots(runs.Count);
        for (var r = 0; r < runs.Count; r++)
        {
            var (run, history) = runs[r];
            var plot = multiplot.GetPlot(r);
            var epochs = history.Epochs();
            var x = epochs.Select(e => (double)e.Epoch).ToArray();
            for (var k = 0; k < history.Terms.Count; k++)
            {
                var line = plot.Add.Scatter(x, epochs.Select(e => e.Weighted[k]).ToArray());
                line.LegendText = history.Weights[k] == 1 ? history.Terms[k] : $"{history.Terms[k]} (×{history.Weights[k]:G4})";
                line.MarkerSize = 4;
                line.LineWidth = 2;
            }
            if (history.Terms.Count > 1)
            {
                var sum = plot.Add.Scatter(x, epochs.Select(e => e.Total).ToArray());
                sum.LegendText = "total";
                sum.LinePattern = LinePattern.Dashed;
                sum.Color = Colors.Black;
                sum.MarkerSize = 0;
            }
            plot.Title(r == 0 ? $"{title}\n{run}" : run);
            plot.XLabel("epoch");
            plot.YLabel("weighted term (epoch mean)");
            plot.ShowLegend(Alignment.UpperRight);
        }
        multiplot.SavePng(path, Width, 300 * runs.Count);
        return path;
    }

    /// <summary>Lines of (x, y) points, one per named series.</summary>
    public static string Lines(string path, string title, string xLabel, string yLabel,
        IEnumerable<(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y)> series)
    {
        var plot = new Plot();
        foreach (var (name, x, y) in series)
        {
            var line = plot.Add.Scatter(x.ToArray(), y.ToArray());
            line.LegendText = name;
            line.LineWidth = 2;
            line.MarkerSize = 5;
        }
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend(Edge.Bottom);
        plot.SavePng(path, Width, 550);
        return path;
    }

    /// <summary>Points in 2-D coloured by class label (0..9), one panel per named projection.</summary>
    public static string Embeddings(string path, string title, IReadOnlyList<(string Name, float[,] Points, long[] Labels)> panels)
    {
        var multiplot = new Multiplot();
        multiplot.AddPlots(panels.Count);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
        var palette = new ScottPlot.Palettes.Category10();
        for (var p = 0; p < panels.Count; p++)
        {
            var (name, points, labels) = panels[p];
            var plot = multiplot.GetPlot(p);
            foreach (var label in labels.Distinct().OrderBy(l => l))
            {
                var rows = Enumerable.Range(0, labels.Length).Where(i => labels[i] == label).ToArray();
                var markers = plot.Add.Markers(rows.Select(i => (double)points[i, 0]).ToArray(), rows.Select(i => (double)points[i, 1]).ToArray(),
                    MarkerShape.FilledCircle, 5, palette.GetColor((int)label));
                markers.LegendText = label.ToString();
            }
            plot.Title(p == 0 ? $"{title}: {name}" : name);
            plot.XLabel("PC 1");
            plot.YLabel("PC 2");
            if (p == panels.Count - 1) plot.ShowLegend(Alignment.UpperRight);
        }
        multiplot.SavePng(path, 520 * panels.Count, 520);
        return path;
    }
}
