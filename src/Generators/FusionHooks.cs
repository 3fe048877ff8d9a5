using LossDsl.Generators.Fusion;
using LossDsl.Ir;

namespace LossDsl.Generators
{
    /// <summary>Where the pipeline meets the fusion planner and kernel emitter.</summary>
    internal static class FusionHooks
    {
        public static EquatableArray<FusedRegion> Plan(LossIr ir) => EquatableArray<FusedRegion>.Empty;

        public static void EmitRegionClass(IndentedWriter w, LossIr ir, FusedRegion region, int index) { }
    }
}
