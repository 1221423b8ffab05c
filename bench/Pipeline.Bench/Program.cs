using BenchmarkDotNet.Running;

// Every benchmark class in this assembly is listed; pick with --filter, e.g.
//   dotnet run -c Release --project bench/Pipeline.Bench -- --filter '*Parse*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
