using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data;
using Pipeline.Runtime.Data.Synthetic;
using Pipeline.Runtime.Kinds.SyntheticVideos;
using Pipeline.Runtime.Tests.Stages;

namespace Pipeline.Runtime.Tests.Data;

public class SyntheticWorldTests
{
    private static SyntheticWorld Small(int seed = 7) =>
        new(KindDefaults.Of<SyntheticVideosOptions>() with { Prompts = 48, EvalPrompts = 16, Generators = 6 }, seed);

    [Fact]
    public void Videos_have_the_configured_shape_and_values_in_unit_range()
    {
        var world = new SyntheticWorld(KindDefaults.Of<SyntheticVideosOptions>() with { Prompts = 4, EvalPrompts = 2, Frames = 6, Resolution = [12, 20], Generators = 3, Samples = 2 }, 1);
        Assert.Equal(new VideoShape(3, 6, 12, 20), world.Shape);
        Assert.Equal(4 * 3 * 2, world.Videos.Count);
        foreach (var video in world.Videos)
        {
            Assert.Equal(world.Shape, video.Video.Shape);
            Assert.All(video.Video.Data, v => Assert.InRange(v, 0f, 1f));
        }
    }

    [Fact]
    public void Rendering_is_deterministic_given_the_seeds()
    {
        var a = Small(7).Render(Small(7).Prompts[3], 4, 11);
        var b = Small(7).Render(Small(7).Prompts[3], 4, 11);
        Assert.Equal(a.Data, b.Data);
        Assert.NotEqual(a.Data, Small(7).Render(Small(7).Prompts[3], 4, 12).Data);
        Assert.NotEqual(Small(7).Prompts.Select(p => p.Id), Small(8).Prompts.Select(p => p.Id));
    }

    [Fact]
    public void Frames_differ_because_the_object_moves()
    {
        var video = Small().Render(Small().Prompts[0], 0, 0);
        var first = video.Plane(0, 0).ToArray();
        var last = video.Plane(0, video.Shape.Frames - 1).ToArray();
        Assert.True(first.Zip(last).Sum(p => Math.Abs(p.First - p.Second)) > 1.0);
    }

    [Fact]
    public void Eval_prompts_are_disjoint_from_training_prompts()
    {
        var world = Small();
        Assert.Equal(48, world.Prompts.Count);
        Assert.Equal(16, world.EvalPrompts.Count);
        Assert.Empty(world.Prompts.Select(p => p.Text).Intersect(world.EvalPrompts.Select(p => p.Text)));
        Assert.Equal(64, world.Prompts.Concat(world.EvalPrompts).Select(p => p.Id).Distinct().Count());
    }

    [Fact]
    public void Prompt_text_round_trips_through_the_parser()
    {
        for (var id = 0; id < SyntheticVocabulary.PromptCount; id++)
        {
            var prompt = SyntheticPrompt.FromId(id);
            Assert.Equal(id, prompt.Id);
            Assert.True(SyntheticPrompt.TryParse(prompt.Text, out var parsed));
            Assert.Equal(prompt, parsed);
        }

        Assert.Equal("a small red disk moving slowly left", new SyntheticPrompt(0, SyntheticShape.Disk, SyntheticDirection.Left, SyntheticSize.Small, SyntheticSpeed.Slowly).Text);
        Assert.False(SyntheticPrompt.TryParse("a small purple disk moving slowly left", out _));
    }

    [Fact]
    public void Pairs_come_from_different_generators_and_are_deterministic()
    {
        var pairs = Small().Pairs(200);
        Assert.All(pairs, p => Assert.NotEqual(p.GeneratorA, p.GeneratorB));
        Assert.True(pairs.Select(p => p.GeneratorA).Distinct().Count() == 6);
        var again = Small().Pairs(200);
        Assert.Equal(pairs.Select(p => (p.Prompt.Id, p.GeneratorA, p.GeneratorB, p.Labels[PreferenceDimension.TA])),
            again.Select(p => (p.Prompt.Id, p.GeneratorA, p.GeneratorB, p.Labels[PreferenceDimension.TA])));
        Assert.Equal(pairs[17].RenderA().Data, again[17].RenderA().Data);
        Assert.Equal(Small().Oracle.Score(pairs[17].RenderB(), pairs[17].Prompt), pairs[17].ScoresB);
    }

    [Fact]
    public void The_best_generator_beats_the_worst_on_every_dimension()
    {
        var world = Small();
        var oracle = world.Oracle;
        OracleScores Mean(int generator)
        {
            var scores = world.Videos.Where(v => v.Generator == generator).Select(v => oracle.Score(v.Video, v.Prompt)).ToArray();
            return new OracleScores(scores.Average(s => s.VQ), scores.Average(s => s.MQ), scores.Average(s => s.TA));
        }

        var best = Mean(world.BestGenerator);
        var worst = Mean(world.WorstGenerator);
        Assert.True(best.VQ > worst.VQ + 1.5, $"VQ best {best.VQ} worst {worst.VQ}");
        Assert.True(best.MQ > worst.MQ + 1.5, $"MQ best {best.MQ} worst {worst.MQ}");
        Assert.True(best.TA > worst.TA + 1.0, $"TA best {best.TA} worst {worst.TA}");
        for (var g = 1; g < world.Generators.Count - 1; g++)
        {
            var middle = Mean(g);
            Assert.True(best.Overall > middle.Overall && middle.Overall > worst.Overall, $"generator {g}: {middle.Overall}");
        }
    }

    [Fact]
    public void Reference_set_scores_are_z_normalised()
    {
        var world = Small();
        var z = world.Videos.Select(v => world.Oracle.Score(v.Video, v.Prompt)).ToArray();
        Assert.Equal(0, z.Average(s => s.VQ), 9);
        Assert.Equal(1, Math.Sqrt(z.Average(s => s.TA * s.TA)), 9);
        Assert.Equal(world.Videos.Count, world.Oracle.Normalization!.Count);
    }

    [Fact]
    public void Generator_profiles_rise_from_best_to_worst_at_the_ends()
    {
        var profiles = GeneratorProfile.Create(6);
        foreach (var p in profiles.Skip(1))
        {
            Assert.True(p.NoiseSd > profiles[0].NoiseSd && p.JitterPixels > profiles[0].JitterPixels && p.ColourErrorRate > profiles[0].ColourErrorRate);
            Assert.True(p.NoiseSd <= profiles[5].NoiseSd && p.JitterPixels <= profiles[5].JitterPixels && p.ColourErrorRate <= profiles[5].ColourErrorRate);
        }
    }

    [Fact]
    public void Invalid_options_are_rejected_with_the_option_name()
    {
        var error = Assert.Throws<ArgumentException>(() => new SyntheticWorld(KindDefaults.Of<SyntheticVideosOptions>() with { Generators = 1 }, 1));
        Assert.Contains("Generators", error.Message);
        Assert.Throws<ArgumentException>(() => new SyntheticWorld(KindDefaults.Of<SyntheticVideosOptions>() with { Prompts = 5000 }, 1));
        Assert.Throws<ArgumentException>(() => new SyntheticWorld(KindDefaults.Of<SyntheticVideosOptions>() with { Resolution = [16] }, 1));
    }
}
