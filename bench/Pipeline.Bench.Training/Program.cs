using System.Globalization;
using System.Text.Json;
using Pipeline.Bench.Training;
using Pipeline.Runtime.Torch.Backend;
using static TorchSharp.torch;

// Usage:
//   Pipeline.Bench.Training overhead [--size mini] [--rounds 5] [--steps 24] [--threads N]
//   Pipeline.Bench.Training steps --json OUT.json [--size mini] [--device cpu|cuda] [--steps 30] [--libtorch DIR]
//   Pipeline.Bench.Training data-make --dir DIR [--pairs 2000] [--workers N] [--scale 4]
//   Pipeline.Bench.Training data-load --dir DIR --store STORE [--workers N]
//   Pipeline.Bench.Training data-epoch --dir DIR --store STORE [--size mini] [--device cpu|cuda]
// "overhead" compares the runtime's training steps with hand-written TorchSharp loops (RuntimeOverhead);
// "steps" times the Pipeline side of bench/gpu and writes ms/step and the sizes as JSON for bench/gpu/reference.py;
// "data-*" are the steps of bench/data/run.sh, the scale benchmark of real data (DataScale).
var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 1; i + 1 < args.Length; i += 2)
{
    options[args[i].TrimStart('-')] = args[i + 1];
}

string Option(string name, string fallback) => options.GetValueOrDefault(name, fallback);
int Number(string name, int fallback) => int.Parse(Option(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

if (options.TryGetValue("libtorch", out var libtorch))
{
    TorchBackend.LibtorchDirectory = libtorch;
}

var backend = TorchBackend.EnsureInitialized();
if (options.TryGetValue("threads", out var threads))
{
    set_num_threads(int.Parse(threads, CultureInfo.InvariantCulture));
}

var size = BenchSize.Parse(Option("size", "mini"));
var device = new Device(Option("device", "cpu"));
switch (args.FirstOrDefault())
{
    case "overhead":
        RuntimeOverhead.Run(size, device, Number("rounds", 5), Number("steps", 24));
        return 0;
    case "steps":
        var steps = Number("steps", 30);
        using (var pipeline = new PipelineSteps(size, device))
        {
            var (flowClock, generator) = pipeline.FlowMatching(steps);
            var flow = flowClock.MillisecondsPerStep;
            var dpo = pipeline.Dpo(generator, steps).MillisecondsPerStep;
            var reward = pipeline.Reward(Math.Max(2, steps / 4)).MillisecondsPerStep;
            var (unguided, guided) = pipeline.Nrg(generator, Number("rounds", 5));
            var result = new
            {
                side = "pipeline",
                torch = backend.LibtorchVersion,
                device = device.ToString(),
                threads = get_num_threads(),
                size = new
                {
                    name = size.Name,
                    video = size.Video.ToArray(),
                    latent = new[] { size.Latent.Channels, size.Latent.Frames, size.Latent.Height, size.Latent.Width },
                    autoencoder_width = size.AutoencoderWidth,
                    generator_width = size.GeneratorWidth,
                    reward_width = size.RewardWidth,
                    latent_reward_width = size.LatentRewardWidth,
                    batch = size.Batch,
                    pairs = size.Pairs,
                    sampling_steps = size.SamplingSteps,
                    cfg_scale = size.CfgScale,
                    steps,
                },
                ms_per_step = new { flow_matching = flow, flow_dpo = dpo, reward = reward, nrg_unguided = unguided, nrg_guided = guided },
                parameters = pipeline.Parameters,
            };
            var json = JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true });
            File.WriteAllText(Option("json", "pipeline.json"), json);
            Console.WriteLine(json);
        }

        return 0;
    case "data-make":
        DataScale.Print(DataScale.Make(Option("dir", "data"), Number("pairs", 2000), Number("workers", Pipeline.Runtime.Data.Store.DecodeWorkers.Available()), Number("scale", 4)));
        return 0;
    case "data-load":
        DataScale.Print(DataScale.Load(Option("dir", "data"), Option("store", "data/store"), Number("workers", Pipeline.Runtime.Data.Store.DecodeWorkers.Available())));
        return 0;
    case "data-epoch":
        DataScale.Print(DataScale.Epoch(Option("dir", "data"), Option("store", "data/store"), size, device));
        return 0;
    default:
        Console.Error.WriteLine("usage: Pipeline.Bench.Training overhead|steps|data-make|data-load|data-epoch [--size toy|mini|large] [--device cpu|cuda] ...");
        return 2;
}
