// Lets netstandard2.0 (the generator's target) use records and init-only setters.
namespace System.Runtime.CompilerServices
{
    internal static class IsExternalInit { }
}
