using System.Globalization;

namespace LossDsl.Runtime;

/// <summary>Checks hyper-parameter values when a loss computes (generated <c>Compute</c> and <c>Trace</c>, and the
/// interpreter): no hyper-parameter may be NaN, and a temperature (a hyper marked <c>[Temperature]</c>, or one passed
/// where the DSL takes a temperature) must be a positive finite number.</summary>
public static class HyperValidator
{
    /// <summary>Throws when <paramref name="value"/> is not a valid value of the hyper-parameter.</summary>
    /// <exception cref="LossHyperException">NaN; or, for a temperature, ≤ 0 or infinite.</exception>
    public static void Check(string loss, string hyper, double value, bool temperature)
    {
        if (temperature && !(value > 0 && !double.IsInfinity(value)))
            throw new LossHyperException(loss, hyper, value,
                $"{loss}: hyper-parameter '{hyper}' is a temperature and must be a positive finite number, got {Show(value)}.");
        if (double.IsNaN(value))
            throw new LossHyperException(loss, hyper, value, $"{loss}: hyper-parameter '{hyper}' is NaN; give it a number.");
    }

    private static string Show(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
