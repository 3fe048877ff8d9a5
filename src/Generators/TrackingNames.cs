namespace LossDsl.Generators
{
    /// <summary>Names of the pipeline steps, so tests can check what an edit re-runs.</summary>
    internal static class TrackingNames
    {
        public const string Parse = nameof(Parse);
        public const string Diagnostics = nameof(Diagnostics);
        public const string Model = nameof(Model);
    }
}
