using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using LossDsl.Runtime;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace LossDsl.Examples;

/// <summary>Shows a training run. In a terminal: a live panel (Spectre.Console) with the epoch and step bar, the
/// elapsed time and ETA, and a table of every term's current raw and weighted value and its epoch mean. When the
/// output is redirected or <c>CI</c> is set: one plain line per epoch, no escape codes. Either way every step goes
/// into a <see cref="LossHistory"/>.</summary>
public sealed class TrainingView
{
    private readonly string _title;
    private readonly int _epochs;
    private readonly int _stepsPerEpoch;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<string> _epochLines = new();
    private LiveDisplayContext? _live;
    private long _lastRefresh;
    private int _epoch = 1;
    private int _stepInEpoch;
    private int _stepsDone;

    private TrainingView(string title, int epochs, int stepsPerEpoch, LossHistory history)
    {
        _title = title;
        _epochs = epochs;
        _stepsPerEpoch = Math.Max(1, stepsPerEpoch);
        History = history;
    }

    /// <summary>Every step recorded so far.</summary>
    public LossHistory History { get; }

    /// <summary>True when the output is not an interactive terminal (redirected, or <c>CI</c> set): plain lines.</summary>
    public static bool Plain =>
        Console.IsOutputRedirected
        || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"))
        || !AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Runs <paramref name="train"/>, which calls <see cref="Step"/> after each optimiser step and
    /// <see cref="EndEpoch"/> after each epoch, under a live display (or plain lines).</summary>
    public static LossHistory Run(string title, int epochs, int stepsPerEpoch, Action<TrainingView> train)
    {
        var view = new TrainingView(title, epochs, stepsPerEpoch, new LossHistory());
        if (Plain)
        {
            Console.WriteLine($"-- {title}");
            train(view);
            return view.History;
        }
        AnsiConsole.Live(view.Render()).AutoClear(false).Overflow(VerticalOverflow.Ellipsis).Start(context =>
        {
            view._live = context;
            train(view);
            context.UpdateTarget(view.Render());
            context.Refresh();
        });
        return view.History;
    }

    /// <summary>Records one step's result and refreshes the display (at most ten times a second).</summary>
    public void Step(LossResult result)
    {
        History.Record(result, _epoch);
        _stepInEpoch++;
        _stepsDone++;
        if (_live is null) return;
        var now = _clock.ElapsedMilliseconds;
        if (now - _lastRefresh < 100) return;
        _lastRefresh = now;
        _live.UpdateTarget(Render());
        _live.Refresh();
    }

    /// <summary>Closes the epoch: a plain line with every term's mean and <paramref name="extra"/> (say, an accuracy).</summary>
    public void EndEpoch(string? extra = null)
    {
        var line = History.FormatEpoch(_epoch) + (string.IsNullOrEmpty(extra) ? "" : " | " + extra)
                   + string.Create(CultureInfo.InvariantCulture, $" | {_clock.Elapsed.TotalSeconds:F1} s");
        if (_live is null) Console.WriteLine("  " + line);
        else
        {
            _epochLines.Add(line);
            _live.UpdateTarget(Render());
            _live.Refresh();
        }
        _epoch++;
        _stepInEpoch = 0;
    }

    private IRenderable Render()
    {
        var total = _epochs * _stepsPerEpoch;
        var fraction = total == 0 ? 1 : Math.Min(1.0, _stepsDone / (double)total);
        var elapsed = _clock.Elapsed;
        var eta = _stepsDone == 0 ? "?" : Format(TimeSpan.FromTicks((long)(elapsed.Ticks / (double)_stepsDone * (total - _stepsDone))));
        const int width = 40;
        var filled = (int)Math.Round(fraction * width);
        var bar = $"[green]{new string('━', filled)}[/][grey]{new string('━', width - filled)}[/]";
        var status = new Markup(
            $"epoch [bold]{Math.Min(_epoch, _epochs)}[/]/{_epochs}  step {_stepInEpoch}/{_stepsPerEpoch}  {bar} {fraction:P0}  " +
            $"elapsed {Format(elapsed)}  ETA {eta}");

        var table = new Table().Border(TableBorder.Rounded).Expand();
        table.AddColumn("term");
        table.AddColumn(new TableColumn("weight").RightAligned());
        table.AddColumn(new TableColumn("raw").RightAligned());
        table.AddColumn(new TableColumn("weighted").RightAligned());
        table.AddColumn(new TableColumn("epoch mean (weighted)").RightAligned());
        var last = History.Last;
        var mean = History.Epoch(_epoch);
        for (var k = 0; k < History.Terms.Count; k++)
            table.AddRow(Markup.Escape(History.Terms[k]), Number(History.Weights[k], "G4"),
                Number(last?.Raw[k]), Number(last?.Weighted[k]), Number(mean?.Weighted[k]));
        if (last is not null) table.AddRow("[bold]total[/]", "", "", Number(last.Total), Number(mean?.Total));

        var rows = new List<IRenderable> { status, table };
        rows.AddRange(_epochLines.TakeLast(5).Select(l => new Markup("[grey]" + Markup.Escape(l) + "[/]")));
        return new Panel(new Rows(rows)).Header(Markup.Escape(_title)).Expand();
    }

    private static string Number(double? value, string format = "F4") =>
        value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "";

    private static string Format(TimeSpan t) => t.TotalHours >= 1 ? t.ToString(@"h\:mm\:ss") : t.ToString(@"m\:ss");
}
