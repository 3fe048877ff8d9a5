using System;
using LossDsl.Cli;

return CheckCommand.Run(args, Console.Out, Console.Error);
