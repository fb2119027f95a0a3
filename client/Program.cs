using IndustryBrain.Client.Commands;

Console.OutputEncoding = System.Text.Encoding.UTF8;
return await BrainCommand.Run(args);
