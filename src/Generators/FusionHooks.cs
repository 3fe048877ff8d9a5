using LossDsl.Generators.Fusion;
using LossDsl.Ir;

namespace LossDsl.Generators
{
    /// <summary>Where the pipeline meets the fusion planner (which regions) and the kernel emitter (their code).</summary>
    internal static class FusionHooks
    {
        public static EquatableArray<FusedRegion> Plan(LossIr ir) => FusionPlanner.Plan(ir);

        public static void EmitRegionClass(IndentedWriter w, LossIr ir, FusedRegion region, int index) =>
            KernelEmitter.EmitRegionClass(w, ir, region, index);
    }
}
