using Pipeline.Tests.Shared;

namespace Pipeline.Cli.Tests;

/// <summary>The exit-code contracts of <c>check</c>, <c>fmt</c> and <c>diff</c>, which other tools rely on.</summary>
public sealed class LanguageCommandTests
{
    private const string Valid = "experiment e {\n  seed = 7\n\n  align dpo = flow_dpo {\n    beta = 500\n  }\n}\n";

    /// <summary>Valid for the compiler too (check binds and type-checks): a world and a generator trained on it.</summary>
    private const string Checked = "experiment e {\n  seed = 7\n\n  data world = synthetic_videos {\n    prompts = 4\n  }\n\n  model gen = flow_generator {\n    pretrain = { data: world.videos }\n  }\n}\n";

    [Fact]
    public void Check_exits_zero_on_a_clean_file_and_one_with_errors_printed_with_positions()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("good.pipe"), Checked);
        File.WriteAllText(folder.File("bad.pipe"), "experiment e {\n  seed =\n  width 3\n  algin x = k {}\n}\n");

        var good = PipelineCli.Run(["check", folder.File("good.pipe")], folder.File("cache"));
        Assert.True(good.ExitCode == 0, good.All);

        var bad = PipelineCli.Run(["check", folder.File("bad.pipe")], folder.File("cache"));
        Assert.Equal(1, bad.ExitCode);
        var lines = bad.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith(folder.File("bad.pipe") + ":2:9: error PIPE0022: ", lines[0]);
        Assert.StartsWith(folder.File("bad.pipe") + ":3:9: error PIPE0023: ", lines[1]);
        Assert.StartsWith(folder.File("bad.pipe") + ":4:3: error PIPE0026: ", lines[2]);
    }

    [Fact]
    public void Check_takes_set_overrides_like_run()
    {
        // Before issue 26, check read "--set" as a file name: "cannot read '--set': no such file".
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("good.pipe"), Checked);
        var fixedValue = PipelineCli.Run(["check", folder.File("good.pipe"), "--set", "world.prompts=8", "--set", "seed=3"], folder.File("cache"));
        Assert.True(fixedValue.ExitCode == 0, fixedValue.All);
        Assert.Equal(folder.File("good.pipe") + ": ok\n", fixedValue.StandardOutput);

        var bad = PipelineCli.Run(["check", folder.File("good.pipe"), "--set", "world.prompts=0", "--set", "gen.widht=8"], folder.File("cache"));
        Assert.Equal(1, bad.ExitCode);
        Assert.Equal(
            "--set gen.widht:1:1: error PIPE1005: 'flow_generator' has no property 'widht'; remove it or use a known property (did you mean 'width'?).\n"
            + "--set world.prompts:1:1: error PIPE2002: The value 0 is out of range; write an integer in [1, 767].\n",
            bad.StandardOutput);

        var sweep = PipelineCli.Run(["check", folder.File("good.pipe"), "--set", "world.prompts=sweep [4, 8, 16]"], folder.File("cache"));
        Assert.True(sweep.ExitCode == 0, sweep.All);
        Assert.Contains("sweep expands into 3 runs (world.prompts: 3)", sweep.StandardOutput);
    }

    [Fact]
    public void Check_reports_an_override_of_an_unknown_stage_together_with_the_binding_errors()
    {
        // Before issue 26 the composition error (PIPE0042) hid every binding error of the file.
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("base.pipe"), Checked.Replace("prompts = 4", "prompts = 4\n    framez = 4", StringComparison.Ordinal));
        File.WriteAllText(folder.File("variant.pipe"), "experiment v extends \"base.pipe\" {\n  nosuch.width = 3\n  gen.width = \"wide\"\n}\n");
        var result = PipelineCli.Run(["check", folder.File("variant.pipe")], folder.File("cache"));
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
            [
                folder.File("variant.pipe") + ":2:3: error PIPE0042",
                folder.File("variant.pipe") + ":3:15: error PIPE2001",
                folder.File("base.pipe") + ":6:5: error PIPE1005",
            ],
            result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => string.Join(':', l.Split(':').Take(4))));
    }

    [Fact]
    public void Check_of_binary_input_is_a_diagnostic_not_a_crash()
    {
        using var folder = new TempFolder();
        var bytes = new byte[2048];
        new Random(1).NextBytes(bytes);
        File.WriteAllBytes(folder.File("binary.pipe"), bytes);
        var result = PipelineCli.Run(["check", folder.File("binary.pipe")], folder.File("cache"));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("error PIPE000", result.StandardOutput);
        Assert.DoesNotContain("Exception", result.All);
    }

    [Fact]
    public void Check_without_files_or_with_a_missing_file_is_a_usage_error()
    {
        using var folder = new TempFolder();
        Assert.Equal(2, PipelineCli.Run(["check"], folder.File("cache")).ExitCode);
        Assert.Equal(2, PipelineCli.Run(["check", folder.File("missing.pipe")], folder.File("cache")).ExitCode);
    }

    [Fact]
    public void Every_example_checks_clean_and_is_canonical()
    {
        using var cache = new TempFolder();
        var examples = Directory.GetFiles(RepoPaths.Examples, "*.pipe").Order(StringComparer.Ordinal).ToArray();
        Assert.NotEmpty(examples);
        var check = PipelineCli.Run(["check", .. examples], cache.Path);
        Assert.True(check.ExitCode == 0, check.All);
        var fmt = PipelineCli.Run(["fmt", "--check", .. examples], cache.Path);
        Assert.True(fmt.ExitCode == 0, fmt.All);
    }

    [Fact]
    public void Fmt_rewrites_in_place_and_check_mode_lists_without_writing()
    {
        using var folder = new TempFolder();
        var messy = "experiment e { seed=7\n align dpo = flow_dpo { beta=500 } }";
        File.WriteAllText(folder.File("messy.pipe"), messy);

        var check = PipelineCli.Run(["fmt", "--check", folder.File("messy.pipe")], folder.File("cache"));
        Assert.Equal(1, check.ExitCode);
        Assert.Contains(folder.File("messy.pipe"), check.StandardOutput);
        Assert.Equal(messy, File.ReadAllText(folder.File("messy.pipe")));

        var rewrite = PipelineCli.Run(["fmt", folder.File("messy.pipe")], folder.File("cache"));
        Assert.Equal(0, rewrite.ExitCode);
        Assert.Equal(Valid, File.ReadAllText(folder.File("messy.pipe")));
        Assert.Equal(0, PipelineCli.Run(["fmt", "--check", folder.File("messy.pipe")], folder.File("cache")).ExitCode);
    }

    [Fact]
    public void Fmt_never_rewrites_a_file_with_errors()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("bad.pipe"), "experiment e {\n  seed =\n}\n");
        var result = PipelineCli.Run(["fmt", folder.File("bad.pipe")], folder.File("cache"));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains(":2:9: error PIPE0022", result.StandardOutput);
        Assert.Equal("experiment e {\n  seed =\n}\n", File.ReadAllText(folder.File("bad.pipe")));
    }

    [Fact]
    public void Diff_exit_codes_are_zero_same_one_different_two_error()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("a.pipe"), Valid);
        File.WriteAllText(folder.File("b.pipe"), "// reordered and commented\nexperiment e {\n  align dpo = flow_dpo { beta = 500 }\n  seed = 7\n}\n");
        File.WriteAllText(folder.File("c.pipe"), Valid.Replace("500", "2000"));
        File.WriteAllText(folder.File("bad.pipe"), "experiment e {\n");

        var same = PipelineCli.Run(["diff", folder.File("a.pipe"), folder.File("b.pipe")], folder.File("cache"));
        Assert.Equal(0, same.ExitCode);
        Assert.Equal("no semantic change\n", same.StandardOutput);

        var different = PipelineCli.Run(["diff", folder.File("a.pipe"), folder.File("c.pipe")], folder.File("cache"));
        Assert.Equal(1, different.ExitCode);
        Assert.Equal("dpo.beta: 500 → 2000\n", different.StandardOutput);

        var json = PipelineCli.Run(["diff", "--json", folder.File("a.pipe"), folder.File("c.pipe")], folder.File("cache"));
        Assert.Equal(1, json.ExitCode);
        Assert.Contains("\"path\": \"dpo.beta\"", json.StandardOutput);

        Assert.Equal(2, PipelineCli.Run(["diff", folder.File("a.pipe"), folder.File("bad.pipe")], folder.File("cache")).ExitCode);

        // --set applies to NEW: a file against itself shows what the override changes; a bad override is an error.
        var set = PipelineCli.Run(["diff", folder.File("a.pipe"), folder.File("a.pipe"), "--set", "dpo.beta=2000"], folder.File("cache"));
        Assert.Equal(1, set.ExitCode);
        Assert.Equal("dpo.beta: 500 → 2000\n", set.StandardOutput);
        var badSet = PipelineCli.Run(["diff", folder.File("a.pipe"), folder.File("a.pipe"), "--set", "nosuch.beta=2000"], folder.File("cache"));
        Assert.Equal(2, badSet.ExitCode);
        Assert.Contains("--set nosuch.beta:1:1: error PIPE1013: The override 'nosuch.beta' names no stage 'nosuch'", badSet.StandardError);
        Assert.Equal(2, PipelineCli.Run(["diff", folder.File("a.pipe")], folder.File("cache")).ExitCode);
    }
}
