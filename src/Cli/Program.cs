using System;
using LossDsl.Cli;

return args.Length > 0 && args[0] == "show"
    ? ShowCommand.Run(args, Console.Out, Console.Error)
    : CheckCommand.Run(args, Console.Out, Console.Error);
