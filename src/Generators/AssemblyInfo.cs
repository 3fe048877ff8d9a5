[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("LossDsl.Tests")]
