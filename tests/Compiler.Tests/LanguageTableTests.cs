namespace Pipeline.Compiler.Tests;

/// <summary>Each row of language.md's table of stage kinds and checks: a bad file and the diagnostic it gets.</summary>
public sealed class LanguageTableTests
{
    public static TheoryData<string, string, string, string> Rows() => new()
    {
        { "synthetic_videos: sizes positive", "frames = 8", "frames = 0", "PIPE2002" },
        { "synthetic_videos: resolution fits the latent", "latent = [4, 8, 4, 4]", "latent = [4, 8, 32, 4]", "PIPE2016" },
        { "preference_pairs: dims known", "dimensions = [VQ, MQ, TA]", "dimensions = [VQ, XX]", "PIPE2004" },
        { "preference_pairs: dims unique", "dimensions = [VQ, MQ, TA]", "dimensions = [MQ, MQ]", "PIPE2006" },
        { "preference_pairs: split sums to 1", "train: 0.9, eval: 0.1", "train: 0.5, eval: 0.1", "PIPE2008" },
        { "preference_pairs: file exists", "source = world.pairs(count: 512)", "source = \"nowhere/pairs.jsonl\"", "PIPE2013" },
        { "autoencoder: latent shape rank 4", "latent = [4, 8, 4, 4]", "latent = [4, 8, 4]", "PIPE2005" },
        { "flow_generator: its autoencoder", "autoencoder = ae", "autoencoder = vr", "PIPE1009" },
        { "flow_generator: width positive", "width = 32", "width = -32", "PIPE2002" },
        { "video_reward: btt needs ties kept", "ties = keep", "ties = drop", "PIPE2012" },
        { "video_reward: theta > 1", "btt(theta: 5.0)", "btt(theta: 1.0)", "PIPE2003" },
        { "aligners: policy is a Generator", "policy = base\n", "policy = prefs\n", "PIPE1009" },
        { "aligners: pairs/reward dims match", "prefs.train.relabel(vr)", "prefs.train.relabel(vr, dimensions: [VQ, MQ, TA, TA])", "PIPE2005" },
        { "aligners: beta > 0", "beta = 500", "beta = 0", "PIPE2003" },
        { "aligners: lr in (0, 1)", "beta = 500", "beta = 500\n    lr = 1.5", "PIPE2003" },
        { "flow_nrg: noise-aware latent reward", "noisy = true", "noisy = false", "PIPE2010" },
        { "flow_nrg: clean reward with ablation is a warning", "weights = { VQ: 0.1, MQ: 0.1, TA: 0.8 }", "weights = { VQ: 0.1, MQ: 0.1, TA: 0.8 }\n    ablation = true", "" },
        { "flow_nrg: weight keys within reward dims", "dimensions = [VQ, MQ, TA]", "dimensions = [VQ, MQ]", "PIPE2009" },
        { "win_rates: every method is a Generator", "methods = [base, dpo, rwr, nrg]", "methods = [base, vr]", "PIPE1009" },
        { "win_rates: judges are rewards or the oracle", "judges = [vr, world.oracle]", "judges = [vr, base]", "PIPE1009" },
        { "win_rates: at least 256 samples", "eval_prompts = 32", "eval_prompts = 16", "PIPE2015" },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void A_bad_file_for_each_row_gets_its_diagnostic(string row, string old, string @new, string code)
    {
        var compilation = Sources.Compile(Sources.Mutate(Sources.Mini, old, @new));
        if (code.Length == 0)
        {
            // A row whose check does not fire on a correct use: no error at all.
            Assert.DoesNotContain(compilation.Diagnostics, d => d.IsError);
            return;
        }

        Assert.True(compilation.Diagnostics.Any(d => d.Code == code), $"{row}: no {code} among {string.Join("\n", compilation.Diagnostics)}");
    }

    [Fact]
    public void Rwr_dimensions_outside_the_reward_are_a_dimension_mismatch()
    {
        var text = Sources.Mutate(Sources.Mutate(Sources.Mini, "dimensions = [VQ, MQ, TA]", "dimensions = [VQ, MQ]"), "samples = 64 }", "samples = 64, dimensions = [TA] }");
        var diagnostics = Sources.Compile(text).Diagnostics;
        Assert.Contains(diagnostics, d => d.Code == "PIPE2009" && d.Message.Contains("'rwr.dimensions'", StringComparison.Ordinal));
    }

    [Fact]
    public void A_clean_latent_reward_with_ablation_is_a_warning_not_an_error()
    {
        var text = Sources.Mutate(Sources.Mutate(Sources.Mini, "noisy = true", "noisy = false"), "weights = { VQ: 0.1, MQ: 0.1, TA: 0.8 }", "weights = { VQ: 0.1, MQ: 0.1, TA: 0.8 }\n    ablation = true");
        var diagnostic = Assert.Single(Sources.Compile(text).Diagnostics);
        Assert.Equal("PIPE2011", diagnostic.Code);
        Assert.Equal(Dsl.Diagnostics.DiagnosticLevel.Warning, diagnostic.Level);
    }
}
