using Pipeline.Tests.Shared;

namespace Pipeline.Cli.Tests;

/// <summary>
/// <c>pipeline diff --git</c> through a real <c>git diff</c> in a temporary repository: git passes the seven
/// driver arguments, the driver prints semantic changes and exits 0 (git 2.39 treats anything else as a crash).
/// </summary>
public sealed class DiffGitDriverTests
{
    private const string Base = """
        experiment base {
          seed = 7

          align dpo = flow_dpo {
            policy = gen
            beta = 500
          }

          model gen = flow_generator {
            width = 32
          }
        }

        """;

    [Fact]
    public void Git_diff_prints_the_semantic_change_through_the_driver()
    {
        using var repository = NewRepository();
        File.WriteAllText(repository.File("exp.pipe"), Base);
        Git(repository, "add", "exp.pipe");
        Git(repository, "commit", "-q", "-m", "base");

        // A value change, plus a reformatting and a comment, which are not semantic changes.
        File.WriteAllText(repository.File("exp.pipe"), Base.Replace("beta = 500", "beta = 2000  // tuned").Replace("  seed = 7\n", "  seed   =   7\n"));
        var diff = Git(repository, "diff");

        Assert.Contains("pipeline diff a/exp.pipe b/exp.pipe", diff);
        Assert.Contains("dpo.beta: 500 → 2000", diff);
        Assert.DoesNotContain("seed", diff);
        Assert.DoesNotContain("@@", diff); // no textual hunk: the driver replaced git's own diff
    }

    [Fact]
    public void Git_log_and_show_print_semantic_changes_with_ext_diff_as_the_language_docs_say()
    {
        // docs/language.md said plain `git log -p` and `git show` did; git runs a diff driver there only with --ext-diff.
        var docs = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "language.md"));
        Assert.Contains("`git log -p --ext-diff`", docs);
        Assert.Contains("`git show --ext-diff`", docs);

        using var repository = NewRepository();
        File.WriteAllText(repository.File("exp.pipe"), Base);
        Git(repository, "add", ".gitattributes", "exp.pipe");
        Git(repository, "commit", "-q", "-m", "base");
        File.WriteAllText(repository.File("exp.pipe"), Base.Replace("beta = 500", "beta = 2000"));
        Git(repository, "commit", "-q", "-a", "-m", "beta");

        foreach (var command in new[] { new[] { "log", "-p", "--ext-diff", "-1" }, ["show", "--ext-diff"] })
        {
            var output = Git(repository, command);
            Assert.Contains("dpo.beta: 500 → 2000", output);
            Assert.DoesNotContain("@@", output);
        }

        var plain = Git(repository, "log", "-p", "-1");
        Assert.Contains("+    beta = 2000", plain);
        Assert.DoesNotContain("dpo.beta: 500 → 2000", plain);
    }

    [Fact]
    public void Extends_is_resolved_against_the_working_tree_and_the_output_says_so()
    {
        using var repository = NewRepository();
        File.WriteAllText(repository.File("base.pipe"), Base);
        File.WriteAllText(repository.File("variant.pipe"), "experiment variant extends \"base.pipe\" {\n  dpo.beta = 1000\n}\n");
        Git(repository, "add", "base.pipe", "variant.pipe");
        Git(repository, "commit", "-q", "-m", "variant");

        File.WriteAllText(repository.File("variant.pipe"), "experiment variant extends \"base.pipe\" {\n  dpo.beta = 3000\n  gen.width = 64\n}\n");
        var diff = Git(repository, "diff", "--", "variant.pipe");

        Assert.Contains("note: extends resolved against the working tree", diff);
        Assert.Contains("dpo.beta: 1000 → 3000", diff);
        Assert.Contains("gen.width: 32 → 64", diff);
    }

    [Fact]
    public void An_added_file_and_a_broken_file_still_exit_zero()
    {
        using var repository = NewRepository();
        File.WriteAllText(repository.File("keep.txt"), "x\n");
        Git(repository, "add", "keep.txt");
        Git(repository, "commit", "-q", "-m", "first");

        File.WriteAllText(repository.File("new.pipe"), Base);
        File.WriteAllText(repository.File("broken.pipe"), "experiment broken {\n  seed =\n}\n");
        Git(repository, "add", "new.pipe", "broken.pipe");
        var diff = Git(repository, "diff", "--cached");

        Assert.Contains("+ align dpo = flow_dpo", diff);
        Assert.Contains("+ model gen = flow_generator", diff);
        Assert.Contains("broken.pipe:2:9: error PIPE0022", diff);
    }

    [Fact]
    public void Wrong_argument_count_in_driver_mode_still_exits_zero()
    {
        using var cache = new TempFolder();
        var result = PipelineCli.Run(["diff", "--git", "only-one"], cache.Path);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("expects the 7 arguments", result.StandardOutput);
    }

    private static TempFolder NewRepository()
    {
        var repository = new TempFolder("pipeline-git-");
        Git(repository, "init", "-q");
        Git(repository, "config", "user.email", "test@example.com");
        Git(repository, "config", "user.name", "Test");
        Git(repository, "config", "diff.pipeline.command", $"dotnet \"{PipelineCli.Assembly}\" diff --git");
        File.WriteAllText(repository.File(".gitattributes"), "*.pipe diff=pipeline\n");
        return repository;
    }

    private static string Git(TempFolder repository, params string[] arguments)
    {
        var environment = new Dictionary<string, string?>
        {
            ["GIT_CONFIG_NOSYSTEM"] = "1",
            ["HOME"] = repository.Path,
            ["PIPELINE_CACHE"] = repository.File(".cache"),
        };
        var result = ProcessRunner.Run("git", arguments, repository.Path, environment, timeoutSeconds: 120);
        Assert.True(result.ExitCode == 0, $"git {string.Join(' ', arguments)} exited {result.ExitCode}: {result.All}");
        return result.StandardOutput;
    }
}
