using System.Collections.Generic;
using System.Linq;
using System.Text;
using LossDsl.Ir;
using static TorchSharp.torch;

namespace LossDsl.Runtime;

/// <summary>An <see cref="ILoss"/> that runs a <see cref="LossIr"/> with the <see cref="IrInterpreter"/>:
/// for losses built at run time (the zoo bodies, tests) rather than generated.</summary>
public sealed class InterpretedLoss : ILoss
{
    private readonly LossIr _ir;
    private readonly Dictionary<string, double> _hypers;

    /// <summary>A loss named <paramref name="name"/> computing <paramref name="ir"/>, with
    /// <paramref name="hypers"/> overriding the IR's hyper-parameter defaults.</summary>
    public InterpretedLoss(string name, LossIr ir, IReadOnlyDictionary<string, double>? hypers = null)
    {
        Name = name;
        _ir = ir;
        _hypers = ir.Hypers.ToDictionary(h => h.Name, h => h.Default);
        foreach (var pair in hypers ?? new Dictionary<string, double>()) _hypers[pair.Key] = pair.Value;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public IReadOnlyList<IrInput> Inputs => _ir.Inputs;

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double> HyperValues => _hypers;

    /// <summary>Has no effect: the interpreter runs plain TorchSharp only.</summary>
    public bool UseFusedKernels { get; set; }

    /// <summary>Has no effect: the interpreter fuses nothing.</summary>
    public long? MinimumFusedPairs { get; set; }

    /// <summary>Empty: the interpreter fuses nothing.</summary>
    public IReadOnlyList<string> FusedRegions => System.Array.Empty<string>();

    /// <inheritdoc/>
    public NonFiniteInputs NonFiniteInputs { get; set; } = NonFiniteInputs.Propagate;

    /// <inheritdoc/>
    public LossResult Compute(IReadOnlyDictionary<string, Tensor> inputs) => IrInterpreter.Evaluate(_ir, inputs, _hypers, Name, NonFiniteInputs);

    /// <inheritdoc/>
    public LossIr Trace() => _ir;

    /// <inheritdoc/>
    public string Describe()
    {
        var text = new StringBuilder(Name).Append('\n');
        foreach (var term in _ir.Terms)
            text.Append("  ").Append(term.Name).Append(" (weight ").Append(IrPrinter.FormatNumber(term.Weight))
                .Append(") = ").Append(IrPrinter.Formula(_ir, term.Root)).Append('\n');
        return text.ToString();
    }
}
