using System.Text.Json;
using Pipeline.Runtime.Torch.Safetensors;
using Pipeline.Tests.Shared;

namespace Pipeline.Cli.Tests;

/// <summary>
/// <c>init = file("...")</c> end to end (docs/language.md, "Given weights"): one experiment exports its generator,
/// another starts the same stage from that file. With zero steps it is the exported model; an unchanged file is served
/// from the cache and a changed one retrains; a file that does not fit the stage stops the run before any step.
/// </summary>
public sealed class GivenWeightsRunTests
{
    private const string Pretrain = "pretrain    = { data: world.videos, steps: 5, lr: 1e-3, batch: 8 }";

    private static string Experiment => Path.Combine(RepoPaths.Root, "tests", "Cli.Tests", "Experiments", "cached.pipe");

    [Fact]
    public void A_generator_started_from_an_exported_model_with_zero_steps_is_that_model_and_a_changed_file_retrains()
    {
        using var cache = new TempFolder();
        using var folder = new TempFolder();
        Succeeds(cache, "run", Experiment, "--out", folder.File("first"));
        File.Copy(folder.File("first/models/gen.safetensors"), folder.File("gen.safetensors"));
        var given = Given(folder, "steps: 0", "gen.safetensors");

        var second = Succeeds(cache, "run", given, "--out", folder.File("second"));

        Assert.Contains("stage ae: cached", second.StandardOutput);
        Assert.Contains("stage gen: running", second.StandardOutput);
        Assert.DoesNotContain("stage gen: step", second.StandardOutput);
        var first = ModelFile.ReadMetadata(folder.File("first/models/gen.safetensors"));
        var started = ModelFile.ReadMetadata(folder.File("second/models/gen.safetensors"));
        Assert.Equal(TensorBytes(folder.File("first/models/gen.safetensors")), TensorBytes(folder.File("second/models/gen.safetensors")));
        foreach (var key in new[] { ModelMetadata.LatentMean, ModelMetadata.LatentDeviation, ModelMetadata.Width, ModelMetadata.SamplingSteps, ModelMetadata.CfgScale })
        {
            Assert.Equal(first[key], started[key]);
        }

        Assert.NotEqual(StageHash(folder.File("first"), "gen"), StageHash(folder.File("second"), "gen"));
        Assert.False(Metrics(folder.File("second"), "gen").TryGetProperty("loss_start", out _));

        // The same bytes again: served from the cache. Other bytes (one velocity weight's lowest bit): trained again.
        Assert.Contains("stage gen: cached", Succeeds(cache, "run", given, "--out", folder.File("third")).StandardOutput);
        var header = SafetensorsFile.Open(folder.File("gen.safetensors"));
        var velocity = header.Tensors.First(t => t.Name.StartsWith("velocity.", StringComparison.Ordinal));
        var bytes = File.ReadAllBytes(folder.File("gen.safetensors"));
        bytes[header.DataStart + velocity.Begin] ^= 1;
        File.WriteAllBytes(folder.File("gen.safetensors"), bytes);
        var changed = Succeeds(cache, "run", given, "--out", folder.File("changed"));
        Assert.Contains("stage gen: running", changed.StandardOutput);
        Assert.NotEqual(StageHash(folder.File("second"), "gen"), StageHash(folder.File("changed"), "gen"));
        Assert.Equal(bytes[(8 + (int)BitConverter.ToUInt64(bytes, 0))..], TensorBytes(folder.File("changed/models/gen.safetensors")));
    }

    [Fact]
    public void A_generator_trained_on_from_given_weights_starts_where_they_left_off()
    {
        using var cache = new TempFolder();
        using var folder = new TempFolder();
        Succeeds(cache, "run", Experiment, "--out", folder.File("first"));
        var fresh = Metrics(folder.File("first"), "gen").GetProperty("loss_start").GetDouble();
        var trained = Metrics(folder.File("first"), "gen").GetProperty("loss_end").GetDouble();

        Succeeds(cache, "run", Given(folder, "steps: 5", "first/models/gen.safetensors"), "--out", folder.File("again"));

        // Five more steps from the trained weights begin below where a fresh network began, near where training ended.
        var resumed = Metrics(folder.File("again"), "gen").GetProperty("loss_start").GetDouble();
        Assert.True(resumed < fresh, $"loss_start {resumed} from the file, {fresh} fresh, {trained} at the file's end");
        Assert.NotEqual(TensorBytes(folder.File("first/models/gen.safetensors")), TensorBytes(folder.File("again/models/gen.safetensors")));
    }

    [Fact]
    public void Weights_that_do_not_fit_the_stage_stop_the_run_before_any_step_with_one_error()
    {
        using var cache = new TempFolder();
        using var folder = new TempFolder();
        Succeeds(cache, "run", Experiment, "--out", folder.File("first"));
        var given = Given(folder, "steps: 5", "first/models/gen.safetensors");

        var wider = PipelineCli.Run(["run", given, "--set", "gen.width=16", "--out", folder.File("wider")], cache.Path);
        Assert.Equal(1, wider.ExitCode);
        Assert.Contains($"error PIPE4612: stage gen: {folder.File("first/models/gen.safetensors")}: tensor 'velocity.prompt.null_prompt' has shape [8], F32; the stage's network expects [16], F32; give weights of the network this stage builds (its width, shapes and dimensions), or change the stage to match them.", wider.StandardError);
        Assert.DoesNotContain("stage gen: step", wider.StandardOutput);
        Assert.DoesNotContain("   at ", wider.All);

        var autoencoder = PipelineCli.Run(["run", Given(folder, "steps: 5", "first/models/ae.safetensors"), "--out", folder.File("kind")], cache.Path);
        Assert.Equal(1, autoencoder.ExitCode);
        Assert.Contains($"error PIPE4613: stage gen: {folder.File("first/models/ae.safetensors")} holds a model of kind autoencoder (pipeline.model), not flow_generator; give it a flow_generator model file.", autoencoder.StandardError);

        var missing = PipelineCli.Run(["check", Given(folder, "steps: 5", "nowhere/gen.safetensors")], cache.Path);
        Assert.Equal(1, missing.ExitCode);
        Assert.Matches(@"given\.pipe:\d+:\d+: error PIPE1080: The weights file 'nowhere/gen\.safetensors' does not exist", missing.StandardOutput + missing.StandardError);
    }

    [Fact]
    public void The_given_example_starts_its_generator_from_the_file_the_generator_example_exports()
    {
        // Both examples as they are, in a copy of their folders with the runs beside them as the README lays them
        // out; the --set values only make them small (the same in both runs, as the shapes must be).
        using var cache = new TempFolder();
        using var root = new TempFolder();
        Directory.CreateDirectory(root.File("examples/given"));
        File.Copy(Path.Combine(RepoPaths.Examples, "generator.pipe"), root.File("examples/generator.pipe"));
        File.Copy(Path.Combine(RepoPaths.Examples, "given", "pretrained.pipe"), root.File("examples/given/pretrained.pipe"));
        string[] small = ["--set", "world.prompts=8", "--set", "world.eval_prompts=4", "--set", "ae.steps=2", "--set", "quality.seeds=1", "--set", "quality.gifs=0"];

        Succeeds(cache, ["run", root.File("examples/generator.pipe"), "--out", root.File("runs/generator"), "--set", "base.pretrain.steps=2", .. small]);
        var given = Succeeds(cache, ["run", root.File("examples/given/pretrained.pipe"), "--out", root.File("runs/pretrained"), .. small]);

        Assert.Contains("stage ae: cached", given.StandardOutput);
        Assert.Contains("stage base: running", given.StandardOutput);
        Assert.DoesNotContain("stage base: step", given.StandardOutput);
        Assert.Equal(TensorBytes(root.File("runs/generator/models/base.safetensors")), TensorBytes(root.File("runs/pretrained/models/base.safetensors")));
        Assert.Equal(Section(root.File("runs/generator"), "win_rates"), Section(root.File("runs/pretrained"), "win_rates"));
    }

    /// <summary>cached.pipe with its generator's pretraining steps replaced and <c>init = file(path)</c>, beside the runs.</summary>
    private static string Given(TempFolder folder, string steps, string path)
    {
        var source = File.ReadAllText(Experiment);
        Assert.Contains(Pretrain, source);
        var given = folder.File("given.pipe");
        File.WriteAllText(given, source.Replace(Pretrain, Pretrain.Replace("steps: 5", steps, StringComparison.Ordinal) + $"\n    init        = file(\"{path}\")", StringComparison.Ordinal));
        return given;
    }

    private static string Section(string runFolder, string name) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(runFolder, "results.json"))).RootElement.GetProperty(name).GetRawText();

    private static ProcessRunner.Result Succeeds(TempFolder cache, params string[] arguments)
    {
        var result = PipelineCli.Run(arguments, cache.Path);
        Assert.True(result.ExitCode == 0, result.All);
        return result;
    }

    private static byte[] TensorBytes(string path)
    {
        var bytes = File.ReadAllBytes(path);
        return bytes[(8 + (int)BitConverter.ToUInt64(bytes, 0))..];
    }

    private static JsonElement Stage(string runFolder, string stage) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(runFolder, "results.json"))).RootElement.GetProperty("stages").GetProperty(stage).Clone();

    private static string StageHash(string runFolder, string stage) => Stage(runFolder, stage).GetProperty("hash").GetString()!;

    private static JsonElement Metrics(string runFolder, string stage) => Stage(runFolder, stage).GetProperty("metrics");
}
