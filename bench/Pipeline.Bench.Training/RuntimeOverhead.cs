using static TorchSharp.torch;

namespace Pipeline.Bench.Training;

/// <summary>
/// The runtime's overhead per training step: <see cref="PipelineSteps"/> against <see cref="HandWrittenSteps"/> in the
/// same process, in interleaved rounds (the order alternates each round, so a burst of load on a shared machine hits
/// both sides alike). The step times of all rounds are pooled per side; the figures are the ratios of the two medians,
/// of wall-clock time and of the process's CPU time (see <see cref="StepClock"/>).
/// </summary>
public static class RuntimeOverhead
{
    public static void Run(BenchSize size, Device device, int rounds, int steps)
    {
        using var pipeline = new PipelineSteps(size, device);
        var baseline = new HandWrittenSteps(pipeline);
        var (_, policy) = pipeline.FlowMatching(StepClock.Warmup + 2); // the DPO reference and policy
        var epochs = Math.Max(2, steps / 4); // four minibatches per epoch
        var kinds = new (string Name, Func<StepClock> Pipeline, Func<StepClock> Baseline)[]
        {
            ("flow matching", () => pipeline.FlowMatching(steps).Clock, () => baseline.FlowMatching(steps)),
            ("Flow-DPO", () => pipeline.Dpo(policy, steps), () => baseline.Dpo(policy.Network, steps)),
            ("reward model (BTT)", () => pipeline.Reward(epochs), () => baseline.Reward(epochs)),
        };

        Console.WriteLine($"runtime overhead, size {size.Name}, {device.type}, {get_num_threads()} threads, {rounds} rounds of {steps} steps (first {StepClock.Warmup} of each untimed)");
        Console.WriteLine("| step | Pipeline ms/step (median) | hand-written ms/step (median) | ratio | CPU ms/step, Pipeline / hand-written (medians) | CPU ratio | steps timed per side |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (var (name, runPipeline, runBaseline) in kinds)
        {
            List<double> ours = new(), theirs = new(), ourCpu = new(), theirCpu = new();
            void Pipeline()
            {
                var clock = runPipeline();
                ours.AddRange(clock.Durations);
                ourCpu.AddRange(clock.CpuDurations);
            }

            void Baseline()
            {
                var clock = runBaseline();
                theirs.AddRange(clock.Durations);
                theirCpu.AddRange(clock.CpuDurations);
            }

            for (var round = 0; round < rounds; round++)
            {
                if (round % 2 == 0)
                {
                    Pipeline();
                    Baseline();
                }
                else
                {
                    Baseline();
                    Pipeline();
                }
            }

            double a = PipelineSteps.Median(ours), b = PipelineSteps.Median(theirs), ca = PipelineSteps.Median(ourCpu), cb = PipelineSteps.Median(theirCpu);
            Console.WriteLine($"| {name} | {a:0.00} | {b:0.00} | {a / b:0.000} | {ca:0.00} / {cb:0.00} | {ca / cb:0.000} | {ours.Count} / {theirs.Count} |");
        }
    }
}
