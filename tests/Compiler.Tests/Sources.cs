using System.Collections.Immutable;

namespace Pipeline.Compiler.Tests;

/// <summary>Experiment texts the tests compile, and helpers to compile a text with overrides.</summary>
internal static class Sources
{
    /// <summary>A valid experiment that touches every stage kind and every check of language.md's table.</summary>
    public const string Mini = """
        experiment mini {
          seed = 7
          device = cpu

          data world = synthetic_videos {
            prompts = 64
            eval_prompts = 32
            frames = 8
            resolution = [16, 16]
          }

          data prefs = preference_pairs {
            source = world.pairs(count: 512)
            dimensions = [VQ, MQ, TA]
            ties = keep
            split = { train: 0.9, eval: 0.1 }
          }

          model ae = autoencoder {
            data = world.videos
            latent = [4, 8, 4, 4]
          }

          model base = flow_generator {
            autoencoder = ae
            width = 32
            pretrain = { data: world.videos, steps: 100 }
          }

          reward vr = video_reward {
            train = prefs.train
            loss = btt(theta: 5.0)
          }

          align dpo = flow_dpo {
            policy = base
            pairs = prefs.train.relabel(vr)
            beta = 500
          }

          align rwr = flow_rwr { policy = base, reward = vr, prompts = world.prompts, samples = 64 }

          guide nrg = flow_nrg {
            generator = dpo
            reward = latent_reward { train = prefs.train, noisy = true }
            weights = { VQ: 0.1, MQ: 0.1, TA: 0.8 }
          }

          evaluate report = win_rates {
            prompts = world.eval_prompts
            methods = [base, dpo, rwr, nrg]
            baseline = base
            judges = [vr, world.oracle]
          }
        }

        """;

    /// <summary>Two stages the Runtime implements today (the walking skeleton), for emit tests.</summary>
    public const string Hello = """
        experiment hello {
          seed = 7
          device = auto

          data world = synthetic_videos {
            prompts = 16
            eval_prompts = 8
            frames = 4
            resolution = [8, 8]
            generators = 3
          }

          model gen = flow_generator {
            pretrain = { data: world.videos, steps: 300, lr: 1e-3, batch: 32 }
            width = 128
          }
        }

        """;

    public static Compilation Compile(string text, params string[] sets) => CompileAt("test.pipe", text, sets);

    public static Compilation CompileAt(string path, string text, params string[] sets) =>
        Compilation.Parse(path, text, new CompilationOptions
        {
            ReferencePaths = TestEnvironment.References,
            Overrides = sets.Select(s => Binding.SetOverride.Parse(s)!).ToArray().ToImmutableArray(),
            UseCache = false,
        });

    /// <summary>Replaces exactly one occurrence of <paramref name="old"/>, so a mutation cannot silently miss.</summary>
    public static string Mutate(string text, string old, string @new)
    {
        var index = text.IndexOf(old, StringComparison.Ordinal);
        if (index < 0 || text.IndexOf(old, index + 1, StringComparison.Ordinal) >= 0)
        {
            throw new ArgumentException($"'{old}' must occur exactly once");
        }

        return text[..index] + @new + text[(index + old.Length)..];
    }
}
