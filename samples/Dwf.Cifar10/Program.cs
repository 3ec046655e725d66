return await Dwf.Cifar10.Cli.RunAsync(args);
