using Pipeline.Compiler.Diagnostics;
using Pipeline.Compiler.Emit;
using Pipeline.Dsl.Diagnostics;

namespace Pipeline.Compiler.Tests;

/// <summary>One bad file (a one-line mutation of a valid experiment) per diagnostic code, and the code it must give.</summary>
public sealed class DiagnosticTests
{
    // (code, old text, new text, --set overrides, words the message must contain)
    private static readonly (string Code, string Old, string New, string[] Sets, string Contains)[] Binding =
    [
        ("PIPE1001", "policy = base\n", "policy = bse\n", [], "did you mean 'base'"),
        ("PIPE1002", "= autoencoder {", "= autoencodr {", [], "did you mean 'autoencoder'"),
        ("PIPE1003", "reward vr = video_reward", "align vr = video_reward", [], "write 'reward'"),
        ("PIPE1004", "  model ae = autoencoder {", "  model ae = autoencoder { data = world.videos }\n  model ae = autoencoder {", [], "declared twice"),
        ("PIPE1005", "width = 32", "widht = 32", [], "did you mean 'width'"),
        ("PIPE1006", "    policy = base\n    pairs", "    pairs", [], "needs the property 'policy'"),
        ("PIPE1007", "beta = 500", "beta = 500\n    beta = 400", [], "set twice"),
        ("PIPE1008", "world.eval_prompts", "world.eval_prompt", [], "did you mean 'eval_prompts'"),
        ("PIPE1009", "generator = dpo", "generator = vr", [], "a Generator is needed"),
        ("PIPE1010", "policy = base\n", "policy = nrg\n", [], "dpo → nrg → dpo"),
        ("PIPE1011", "  model ae", "  data extra = synthetic_videos { prompts = 4 }\n\n  model ae", [], "Nothing reads the stage 'extra'"),
        ("PIPE1012", "seed = 7", "sed = 7", [], "did you mean 'seed'"),
        ("PIPE1013", "seed = 7", "seed = 7", ["nosuch.beta=3"], "names no stage 'nosuch'"),
        ("PIPE1014", "policy = base\n", "policy = flow_generator { width = 4 }\n", [], "cannot hold an inline stage"),
        ("PIPE1015", "btt(theta: 5.0)", "btt(thta: 5.0)", [], "did you mean 'theta'"),
        ("PIPE1016", "world.pairs(count: 512)", "world.pairs()", [], "needs the argument 'count'"),
        ("PIPE1017", "data = world.videos\n    latent", "data = world.videos(3)\n    latent", [], "takes no arguments"),
        ("PIPE1018", "noisy = true", "noisy = sweep [true, false]", [], "sweep can only be"),
        ("PIPE1019", "world.pairs(count: 512)", "world.pairs(512, 3)", [], "at most 1 argument"),
        ("PIPE1070", "  model ae", "  data kept = pairs_filter { pairs = prefs.train, keep = unanimous }\n\n  model ae", [], "takes a whole stage, whose train/eval split it keeps, not 'prefs.train'; write 'prefs'"),
        ("PIPE1080", "latent = [4, 8, 4, 4]", "latent = [4, 8, 4, 4]\n    init = file(\"nowhere/ae.safetensors\")", [], "The weights file 'nowhere/ae.safetensors' does not exist (looked for "),
        ("PIPE1082", "latent = [4, 8, 4, 4]", "latent = [4, 8, 4, 4]\n    init = file(\"ae.ckpt\")", [], "The weights file 'ae.ckpt' is not a model file; name a .safetensors, .pt or .pth file."),
        ("PIPE1083", "steps: 100 }", "steps: 0 }", [], "pretrain.steps = 0 trains nothing, which leaves a random network; give init = file(\"...\")"),
        ("PIPE2001", "width = 32", "width = \"wide\"", [], "instead of a string"),
        ("PIPE2002", "prompts = 64", "prompts = 0", [], "write an integer in [1, "),
        ("PIPE2003", "beta = 500", "beta = -1", [], "out of range"),
        ("PIPE2004", "ties = keep", "ties = kep", [], "did you mean 'keep'"),
        ("PIPE2005", "resolution = [16, 16]", "resolution = [16]", [], "list of 2"),
        ("PIPE2006", "dimensions = [VQ, MQ, TA]", "dimensions = [VQ, VQ]", [], "'VQ' appears twice"),
        ("PIPE2007", "eval: 0.1 }", "evl: 0.1 }", [], "did you mean 'eval'"),
        ("PIPE2008", "train: 0.9, eval: 0.1", "train: 0.8, eval: 0.1", [], "sum to 0.9"),
        ("PIPE2009", "dimensions = [VQ, MQ, TA]", "dimensions = [VQ, MQ]", [], "uses the dimension TA, which"),
        ("PIPE2010", "noisy = true", "noisy = false", [], "the paper shows"),
        ("PIPE2011", "noisy = true", "noisy = false", ["nrg.ablation=true"], "only as the ablation"),
        ("PIPE2012", "ties = keep", "ties = drop", [], "set ties = keep"),
        ("PIPE2013", "source = world.pairs(count: 512)", "source = \"missing.csv\"", [], "does not exist"),
        ("PIPE2015", "eval_prompts = 32", "eval_prompts = 8", [], "Only 64 (prompt, seed) samples"),
        ("PIPE2016", "latent = [4, 8, 4, 4]", "latent = [4, 16, 4, 4]", [], "latent T×H×W 16×4×4"),
        ("PIPE2017", "beta = 500", "beta = sweep []", [], "at least one point"),
        ("PIPE2018", "source = world.pairs(count: 512)", "source = \"pairs.txt\"", [], "wrong extension"),
        ("PIPE2020", "seed = 7", $"seed = sweep [{string.Join(", ", Enumerable.Range(0, 1001))}]", [$"world.prompts=sweep [{string.Join(", ", Enumerable.Range(64, 1001))}]"], "more than 1,000,000 runs"),
    ];

    /// <summary>Codes tested by a dedicated test below rather than by a mutation of <see cref="Sources.Mini"/>.</summary>
    private static readonly string[] TestedElsewhere =
    [
        "PIPE1081", "PIPE2014", "PIPE2019", "PIPE2030", "PIPE3001", "PIPE3002", "PIPE3003", "PIPE3004", "PIPE3005", "PIPE3006", "PIPE3010",
        "PIPE3030", "PIPE3031", "PIPE3032", "PIPE3033",
        // Replicates and expectations: ExpectationTests, with their exact messages.
        "PIPE1050", "PIPE1051", "PIPE1052", "PIPE1053", "PIPE1054", "PIPE1055", "PIPE2040", "PIPE2041", "PIPE2042", "PIPE2043", "PIPE2044", "PIPE3020",
    ];

    public static TheoryData<string> BindingCodes() => new(Binding.Select(c => c.Code));

    [Theory]
    [MemberData(nameof(BindingCodes))]
    public void A_bad_file_gets_its_diagnostic(string code)
    {
        var (_, old, @new, sets, contains) = Binding.Single(c => c.Code == code);
        var compilation = Sources.Compile(Sources.Mutate(Sources.Mini, old, @new), sets);
        var diagnostic = compilation.Diagnostics.FirstOrDefault(d => d.Code == code);
        Assert.True(diagnostic is not null, $"no {code} among: {string.Join("\n", compilation.Diagnostics)}");
        Assert.Contains(contains, diagnostic.Message, StringComparison.Ordinal);
        Assert.EndsWith(".", diagnostic.Message.TrimEnd('?', ')'), StringComparison.Ordinal);
        Assert.NotNull(diagnostic.Path);
    }

    // (old text, new text, the message's exact words): what was "Write a integer", "1 item(s)" or "a Autoencoder" before.
    private static readonly (string Old, string New, string Message)[] Wording =
    [
        ("width = 32", "width = \"wide\"", "Write an integer in [4, 4096] here instead of a string."),
        ("noisy = true", "noisy = 1", "Write true or false here instead of the integer 1."),
        ("ties = keep", "ties = 3", "Write one of keep | drop here instead of the integer 3."),
        ("split = { train: 0.9, eval: 0.1 }", "split = 0.9", "Write a map { train: number in [0, 1], eval: number in [0, 1] } here instead of the number 0.9."),
        ("beta = 500", "beta = -1", "The value -1 is out of range; write a number in (0, inf)."),
        ("loss = btt(theta: 5.0)", "loss = 3", "Write one of bt | btt(theta: number in (1, inf)) | regression here instead of the integer 3."),
        ("resolution = [16, 16]", "resolution = [16]", "The list has 1 item; write a list of 2 × integer in [8, 256]."),
        ("world.pairs(count: 512)", "world.pairs(512, 3)", "'pairs' takes at most 1 argument; remove the extra ones."),
        ("autoencoder = ae\n", "autoencoder = base\n", "'base' is a Generator, but an Autoencoder is needed here; reference a stage that produces an Autoencoder."),
        ("autoencoder = ae\n", "autoencoder = ae.latent\n", "An Autoencoder has no members; remove '.latent' and reference the stage itself."),
        ("dimensions = [VQ, MQ, TA]", "dimensions = [VQ]", "'nrg.weights' uses the dimensions MQ, TA, which the input does not have (VQ); use only the input's dimensions."),
        ("device = cpu", "device = gpu", "Write one of auto | cpu | cuda | \"cuda:N\" here instead of 'gpu'."),
        ("device = cpu", "device = 0", "Write one of auto | cpu | cuda | \"cuda:N\" here instead of the integer 0."),
        ("ties = keep", "ties = drop", "The btt loss models ties, but 'prefs' drops them; set ties = keep on 'prefs' or use loss = bt."),
        ("noisy = true }", "noisy = false }\n    ablation = true", "The latent reward 'nrg.reward' is trained on clean latents, and the paper shows that guiding with a clean reward fails; this runs only as the ablation, so set noisy = true for real results."),
    ];

    public static TheoryData<int> WordingCases() => new(Enumerable.Range(0, Wording.Length));

    [Theory]
    [MemberData(nameof(WordingCases))]
    public void Messages_read_as_english(int index)
    {
        var (old, @new, message) = Wording[index];
        var compilation = Sources.Compile(Sources.Mutate(Sources.Mini, old, @new));
        Assert.Contains(message, compilation.Diagnostics.Select(d => d.Message));
    }

    // (old text, new text, code, the list the message ends with): a name with no close match gets every valid one.
    private static readonly (string Old, string New, string Code, string List)[] Lists =
    [
        ("= autoencoder {", "= qqqqqq {", "PIPE1002", ": synthetic_videos, preference_pairs, pairs_filter, autoencoder, flow_generator, video_reward, latent_reward, flow_sft, flow_rwr, flow_dpo, flow_nrg, classifier_free, win_rates."),
        ("width = 32", "zzzzzz = 32", "PIPE1005", ": autoencoder, pretrain, width, timesteps, cfg_dropout, cfg_scale, sampling_steps, init."),
        ("policy = base\n", "policy = qqqqqq\n", "PIPE1001", ": ae, base, dpo, nrg, prefs, report, rwr, vr, world."),
        ("world.eval_prompts", "world.qqqqqq", "PIPE1008", ": videos, pairs, prompts, eval_prompts, oracle, best, worst."),
        ("btt(theta: 5.0)", "btt(qqqqqq: 5.0)", "PIPE1015", ": theta."),
    ];

    public static TheoryData<string> ListCodes() => new(Lists.Select(c => c.Code));

    [Theory]
    [MemberData(nameof(ListCodes))]
    public void A_name_with_no_close_match_gets_the_list_of_valid_names(string code)
    {
        var (old, @new, _, list) = Lists.Single(c => c.Code == code);
        var diagnostic = Assert.Single(Sources.Compile(Sources.Mutate(Sources.Mini, old, @new)).Diagnostics, d => d.Code == code);
        Assert.EndsWith(list, diagnostic.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("did you mean", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_code_in_the_catalogue_has_a_test()
    {
        var tested = Binding.Select(c => c.Code).Concat(TestedElsewhere).Order(StringComparer.Ordinal);
        Assert.Equal(CompilerDiagnostics.AllCodes.Except(CompilerDiagnostics.RetiredCodes).Order(StringComparer.Ordinal), tested);
    }

    [Fact]
    public void Codes_are_unique_across_the_syntax_and_compiler_catalogues()
    {
        var all = CompilerDiagnostics.AllCodes.Concat(DiagnosticBuilder.AllCodes).ToList();
        Assert.Equal(all.Count, all.Distinct(StringComparer.Ordinal).Count());
        Assert.All(CompilerDiagnostics.AllCodes, c => Assert.Matches("^PIPE[123][0-9]{3}$", c));
    }

    [Fact]
    public void A_clean_file_gets_no_diagnostics_and_a_diagnostic_points_at_the_mistake()
    {
        Assert.Empty(Sources.Compile(Sources.Mini).Diagnostics);
        var text = Sources.Mutate(Sources.Mini, "width = 32", "widht = 32");
        var diagnostic = Assert.Single(Sources.Compile(text).Diagnostics);
        Assert.Equal(text.IndexOf("widht", StringComparison.Ordinal), diagnostic.Span.Start);
        Assert.Equal(5, diagnostic.Span.Length);
        Assert.Equal("test.pipe", diagnostic.Path);
    }

    [Fact]
    public void Several_errors_are_reported_in_one_pass()
    {
        var text = Sources.Mutate(Sources.Mutate(Sources.Mini, "width = 32", "widht = 32"), "ties = keep", "ties = kep");
        Assert.Equal(["PIPE1005", "PIPE2004"], Sources.Compile(text).Diagnostics.Select(d => d.Code).Order().ToArray());
    }

    [Fact]
    public void A_data_file_without_the_columns_is_reported()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("pairs.csv"), "prompt,path_A,path_B,VQ\nx,a.mp4,b.mp4,A\n");
        var text = Sources.Mutate(Sources.Mini, "source = world.pairs(count: 512)", "source = \"pairs.csv\"");
        var compilation = Sources.CompileAt(temp.Combine("test.pipe"), text);
        var diagnostic = Assert.Single(compilation.Diagnostics, d => d.Code == CompilerDiagnostics.DataFileMissingColumnsCode);
        Assert.Contains("MQ, TA", diagnostic.Message, StringComparison.Ordinal);

        File.WriteAllText(temp.Combine("pairs.csv"), "prompt,path_A,path_B,VQ,MQ,TA\nx,a.mp4,b.mp4,A,B,same\n");
        var fixedFile = Sources.CompileAt(temp.Combine("test.pipe"), text);
        Assert.DoesNotContain(fixedFile.Diagnostics, d => d.IsError);
        var hash = fixedFile.SemanticModel.FindStage("prefs")!.Hash;
        File.AppendAllText(temp.Combine("pairs.csv"), "y,c.mp4,d.mp4,B,B,B\n");
        Assert.NotEqual(hash, Sources.CompileAt(temp.Combine("test.pipe"), text).SemanticModel.FindStage("prefs")!.Hash);
    }

    [Fact]
    public void A_data_file_that_is_empty_or_not_a_regular_file_is_reported_with_its_full_path_and_not_read()
    {
        using var temp = new TempDirectory();
        var text = Sources.Mutate(Sources.Mini, "source = world.pairs(count: 512)", "source = \"pairs.csv\"");
        File.WriteAllText(temp.Combine("pairs.csv"), string.Empty);
        var empty = Assert.Single(Sources.CompileAt(temp.Combine("test.pipe"), text).Diagnostics, d => d.Code == CompilerDiagnostics.DataFileUnreadableCode);
        Assert.Contains(temp.Combine("pairs.csv"), empty.Message, StringComparison.Ordinal);

        // A link to a device has no end; before the check, reading it ran the compiler out of memory.
        File.Delete(temp.Combine("pairs.csv"));
        File.CreateSymbolicLink(temp.Combine("pairs.csv"), "/dev/zero");
        Assert.Single(Sources.CompileAt(temp.Combine("test.pipe"), text).Diagnostics, d => d.Code == CompilerDiagnostics.DataFileUnreadableCode);

        var missing = Sources.Mutate(Sources.Mini, "source = world.pairs(count: 512)", "source = \"../elsewhere/pairs.csv\"");
        var notFound = Assert.Single(Sources.CompileAt(temp.Combine("test.pipe"), missing).Diagnostics, d => d.Code == CompilerDiagnostics.DataFileNotFoundCode);
        Assert.Contains("looked for " + Path.GetFullPath(Path.Combine(temp.Path, "..", "elsewhere", "pairs.csv")), notFound.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_weights_file_is_found_beside_the_experiment_file_and_its_content_hash_joins_the_stage_hash()
    {
        using var temp = new TempDirectory();
        var text = Sources.Mutate(Sources.Mini, "latent = [4, 8, 4, 4]", "latent = [4, 8, 4, 4]\n    init = file(\"models/ae.safetensors\")");
        var missing = Assert.Single(Sources.CompileAt(temp.Combine("test.pipe"), text).Diagnostics);
        Assert.Equal((CompilerDiagnostics.InitFileNotFoundCode, text.IndexOf("\"models/ae.safetensors\"", StringComparison.Ordinal)), (missing.Code, missing.Span.Start));
        Assert.Contains("looked for " + temp.Combine("models", "ae.safetensors"), missing.Message, StringComparison.Ordinal);

        Directory.CreateDirectory(temp.Combine("models"));
        File.WriteAllBytes(temp.Combine("models", "ae.safetensors"), [1, 2, 3]);
        var first = Sources.CompileAt(temp.Combine("test.pipe"), text);
        Assert.Empty(first.Diagnostics);
        var without = Sources.CompileAt(temp.Combine("test.pipe"), Sources.Mini).SemanticModel;
        Assert.NotEqual(without.FindStage("ae")!.Hash, first.SemanticModel.FindStage("ae")!.Hash);

        // The same bytes give the same hash (served from the cache); other bytes another (the stage retrains), and so
        // does every stage downstream.
        Assert.Equal(first.SemanticModel.FindStage("ae")!.Hash, Sources.CompileAt(temp.Combine("test.pipe"), text).SemanticModel.FindStage("ae")!.Hash);
        File.WriteAllBytes(temp.Combine("models", "ae.safetensors"), [1, 2, 4]);
        var changed = Sources.CompileAt(temp.Combine("test.pipe"), text).SemanticModel;
        Assert.NotEqual(first.SemanticModel.FindStage("ae")!.Hash, changed.FindStage("ae")!.Hash);
        Assert.NotEqual(first.SemanticModel.FindStage("base")!.Hash, changed.FindStage("base")!.Hash);
        Assert.Equal(first.SemanticModel.FindStage("vr")!.Hash, changed.FindStage("vr")!.Hash);
    }

    [Fact]
    public void A_weights_file_that_is_empty_or_not_a_regular_file_is_reported_and_not_read()
    {
        using var temp = new TempDirectory();
        var text = Sources.Mutate(Sources.Mini, "loss = btt(theta: 5.0)", "loss = btt(theta: 5.0)\n    init = file(\"vr.pt\")");
        File.WriteAllText(temp.Combine("vr.pt"), string.Empty);
        var empty = Assert.Single(Sources.CompileAt(temp.Combine("test.pipe"), text).Diagnostics);
        Assert.Equal(CompilerDiagnostics.InitFileUnreadableCode, empty.Code);
        Assert.Equal("The weights file 'vr.pt' cannot be read: it is empty, or not a regular file (a pipe or a device); name a .safetensors model file or a PyTorch state dict.", empty.Message);

        File.Delete(temp.Combine("vr.pt"));
        File.CreateSymbolicLink(temp.Combine("vr.pt"), "/dev/zero");
        Assert.Equal(CompilerDiagnostics.InitFileUnreadableCode, Assert.Single(Sources.CompileAt(temp.Combine("test.pipe"), text).Diagnostics).Code);
    }

    [Fact]
    public void Zero_training_steps_are_allowed_only_with_given_weights()
    {
        using var temp = new TempDirectory();
        File.WriteAllBytes(temp.Combine("vr.safetensors"), [1]);
        var zero = Sources.Mutate(Sources.Mini, "loss = btt(theta: 5.0)", "loss = btt(theta: 5.0)\n    epochs = 0");
        var error = Assert.Single(Sources.CompileAt(temp.Combine("test.pipe"), zero).Diagnostics);
        Assert.Equal((CompilerDiagnostics.ZeroStepsWithoutInitCode, zero.IndexOf("0\n", zero.IndexOf("epochs = ", StringComparison.Ordinal), StringComparison.Ordinal)), (error.Code, error.Span.Start));
        Assert.StartsWith("epochs = 0 trains nothing", error.Message, StringComparison.Ordinal);
        var given = Sources.Mutate(zero, "epochs = 0", "epochs = 0\n    init = file(\"vr.safetensors\")");
        Assert.Empty(Sources.CompileAt(temp.Combine("test.pipe"), given).Diagnostics);
    }

    [Fact]
    public void A_kind_the_runtime_does_not_implement_is_reported_at_the_stage()
    {
        using var temp = new TempDirectory();
        var compilation = Compilation.Parse("hello.pipe", Sources.Hello, new CompilationOptions { ReferencePaths = StubRuntime.Build(temp.Path), UseCache = false });
        var result = compilation.Emit(temp.Combine("out"));
        Assert.False(result.Success);
        var lacksKind = Assert.Single(result.Diagnostics, d => d.Code == CompilerDiagnostics.RuntimeLacksKindCode);
        Assert.Equal(Sources.Hello.IndexOf("gen =", StringComparison.Ordinal), lacksKind.Span.Start);
        Assert.Contains("FlowGeneratorOptions", lacksKind.Message, StringComparison.Ordinal);
        var lacksProperty = Assert.Single(result.Diagnostics, d => d.Code == CompilerDiagnostics.RuntimeLacksPropertyCode);
        Assert.Contains("'frames'", lacksProperty.Message, StringComparison.Ordinal);
        Assert.Equal(Sources.Hello.IndexOf("frames = 4", StringComparison.Ordinal), lacksProperty.Span.Start);
        Assert.False(Directory.Exists(temp.Combine("out")));
    }

    [Fact]
    public void An_options_property_of_another_type_than_the_catalogue_names_is_reported_at_the_value()
    {
        var diagnostic = StubDiagnostic(CompilerDiagnostics.RuntimeTypeMismatchCode, ("public int Generators", "public long Generators"));
        Assert.Equal(Sources.Hello.IndexOf("generators = 3", StringComparison.Ordinal), diagnostic.Span.Start);
        Assert.Equal("The runtime's options for 'synthetic_videos' have 'generators' as long, but the catalogue says int; update the runtime to the catalogue.", diagnostic.Message);
    }

    [Fact]
    public void A_runtime_without_the_type_a_kind_produces_is_reported_at_the_stage()
    {
        var diagnostic = StubDiagnostic(CompilerDiagnostics.RuntimeLacksTypeCode, ("public sealed class World", "public sealed class Planet"));
        Assert.Equal(Sources.Hello.IndexOf("world =", StringComparison.Ordinal), diagnostic.Span.Start);
        Assert.Contains("no type Pipeline.Runtime.Kinds.SyntheticVideos.World, which the catalogue names as what a 'synthetic_videos' stage produces", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stage_that_takes_an_estimator_no_catalog_makes_is_reported()
    {
        var diagnostic = StubDiagnostic(
            CompilerDiagnostics.RuntimeLacksCatalogCode,
            ("// more kinds", StubRuntime.FlowGenerator.Replace("string name, FlowGeneratorOptions options", "string name, object estimator", StringComparison.Ordinal)));
        Assert.Equal(Sources.Hello.IndexOf("gen =", StringComparison.Ordinal), diagnostic.Span.Start);
        Assert.Contains("Models().FlowGenerator(FlowGeneratorOptions)", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_default_the_runtime_has_no_member_for_is_reported_at_the_stage()
    {
        // The catalogue's default timesteps = uniform needs FlowTimesteps.Uniform.
        var diagnostic = StubDiagnostic(
            CompilerDiagnostics.RuntimeLacksMemberCode,
            ("// more kinds", StubRuntime.FlowGenerator.Replace("{ Uniform, LogitNormal }", "{ LogitNormal }", StringComparison.Ordinal)));
        Assert.Equal(Sources.Hello.IndexOf("gen =", StringComparison.Ordinal), diagnostic.Span.Start);
        Assert.Equal("The value of 'flow_generator.timesteps' needs FlowTimesteps.Uniform of the runtime, which it lacks; update the runtime to the catalogue.", diagnostic.Message);
    }

    /// <summary>The one diagnostic of <paramref name="code"/> from emitting hello.pipe against the stub runtime with <paramref name="edits"/>.</summary>
    private static Diagnostic StubDiagnostic(string code, params (string Old, string New)[] edits)
    {
        using var temp = new TempDirectory();
        var text = Sources.Mutate(Sources.Hello, "frames = 4\n", string.Empty);
        var compilation = Compilation.Parse("hello.pipe", Sources.Hello, new CompilationOptions { ReferencePaths = StubRuntime.Build(temp.Path, edits), UseCache = false });
        var result = compilation.Emit(temp.Combine("out"));
        Assert.False(result.Success);
        Assert.False(Directory.Exists(temp.Combine("out")));
        return Assert.Single(result.Diagnostics, d => d.Code == code);
    }

    [Fact]
    public void Emit_without_the_runtime_among_the_references_is_reported()
    {
        using var temp = new TempDirectory();
        var compilation = Compilation.Parse("hello.pipe", Sources.Hello, new CompilationOptions { UseCache = false });
        var result = compilation.Emit(temp.Path);
        Assert.Equal(CompilerDiagnostics.RuntimeReferenceMissingCode, Assert.Single(result.Diagnostics).Code);
    }

    [Fact]
    public void Emit_of_an_unexpanded_sweep_is_refused_but_each_point_emits()
    {
        using var temp = new TempDirectory();
        var compilation = Sources.Compile(Sources.Mutate(Sources.Hello, "width = 128", "width = sweep [64, 128]"));
        Assert.Empty(compilation.Diagnostics);
        var result = compilation.Emit(temp.Combine("all"));
        var refused = Assert.Single(result.Diagnostics);
        Assert.Equal(CompilerDiagnostics.SweepNotSelectedCode, refused.Code);
        Assert.Contains("choose one with --point N (N from 0 to 1) or by its values with --set gen.width=VALUE", refused.Message, StringComparison.Ordinal);
        Assert.True(compilation.WithSweepPoint(1).Emit(temp.Combine("one")).Success);
        Assert.Equal([("gen.width", "128")], compilation.SweepPointValues(1));
    }

    [Fact]
    public void An_output_folder_that_cannot_be_written_is_reported()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("file"), "not a folder");
        var result = Sources.Compile(Sources.Hello).Emit(temp.Combine("file"));
        Assert.Equal(CompilerDiagnostics.OutputNotWritableCode, Assert.Single(result.Diagnostics).Code);
    }

    [Fact]
    public void Emit_refuses_to_run_with_errors()
    {
        using var temp = new TempDirectory();
        var compilation = Sources.Compile(Sources.Mutate(Sources.Hello, "width = 128", "width = 0"));
        var result = compilation.Emit(temp.Combine("out"));
        Assert.False(result.Success);
        Assert.Equal(compilation.Diagnostics.Where(d => d.IsError).ToArray(), result.Diagnostics.ToArray());
        Assert.False(Directory.Exists(temp.Combine("out")));
    }

}
