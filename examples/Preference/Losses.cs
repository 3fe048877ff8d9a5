using LossDsl;
using static LossDsl.Dsl;

namespace LossDsl.Examples.Preference;

/// <summary>The reference policy's supervised training (the preference runs use the zoo's <c>DpoSigmoid</c>,
/// <c>DpoHinge</c> and <c>DpoIpo</c>).</summary>
[Loss]
public partial class Supervised
{
    [Term]
    static Real Ce(Logits logits, Labels y) => CrossEntropy(logits, y);
}
