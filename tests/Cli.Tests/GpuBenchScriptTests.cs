using System.Diagnostics;
using System.Text.Json;
using Pipeline.Tests.Shared;

namespace Pipeline.Cli.Tests;

/// <summary>
/// Keeps bench/gpu/run.sh from rotting where there is no GPU: both sides (Pipeline.Bench.Training and reference.py on
/// Debian's python3-torch, which scripts/setup.sh installs, with Adam foreach and per parameter) run every step at toy
/// size on the CPU, and the comparison prints a row per step. Speed is not asserted; only that each side measured a time for every step, and that
/// reference.py's mirrors of the runtime's networks have the runtime's parameter counts (a changed network in
/// src/Runtime/Torch/Models must be changed in reference.py too, or the comparison would time different models).
/// </summary>
public sealed class GpuBenchScriptTests
{
    [Fact]
    public async Task RunShComparesEveryStepOnCpuAtToySize()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<configuration>/net10.0
        var app = Path.Combine(RepoPaths.Root, "bench", "Pipeline.Bench.Training", "bin", configuration, "net10.0", "Pipeline.Bench.Training.dll");
        Assert.True(File.Exists(app), $"{app} is missing; the test project references the bench project so that it is built");
        var output = Directory.CreateTempSubdirectory("pipeline-gpu-bench-test").FullName;
        try
        {
            var info = new ProcessStartInfo(Path.Combine(RepoPaths.Root, "bench", "gpu", "run.sh"))
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = RepoPaths.Root,
            };
            foreach (var argument in new[] { "--device", "cpu", "--size", "toy", "--steps", "6", "--app", app, "--dotnet", "dotnet" })
            {
                info.ArgumentList.Add(argument);
            }

            info.Environment["OUT"] = output;
            // libtorch's OpenMP threads spin while they wait; on a loaded 2-core machine that made toy steps 100× slower.
            info.Environment["OMP_WAIT_POLICY"] = "PASSIVE";
            using var process = Process.Start(info)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = await process.StandardOutput.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, $"run.sh exited {process.ExitCode}:\n{stdout}\n{await stderr}");

            foreach (var row in new[] { "| flow matching |", "| Flow-DPO |", "| reward model (BTT) |", "| sampling step, unguided (CFG) |", "| sampling step, NRG-guided |", "NRG guided / unguided: Pipeline ", "Pipeline / PyTorch single", "modules: same parameter counts" })
            {
                Assert.Contains(row, stdout);
            }

            foreach (var side in new[] { "pipeline.json", "pytorch.json", "pytorch-single.json" })
            {
                using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, side)));
                var times = json.RootElement.GetProperty("ms_per_step").EnumerateObject().ToArray();
                Assert.Equal(5, times.Length);
                Assert.All(times, t => Assert.True(t.Value.GetDouble() > 0, $"{side}: {t.Name} = {t.Value}"));
            }
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }
}
