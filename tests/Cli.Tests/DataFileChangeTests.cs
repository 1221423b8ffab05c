using System.Globalization;
using System.Text.RegularExpressions;
using Pipeline.Runtime.Data.Files;
using Pipeline.Tests.Shared;

namespace Pipeline.Cli.Tests;

/// <summary>
/// A data file changed since its stages were cached invalidates them (docs/runs.md, "Faults"): a pair file read by
/// <c>preference_pairs</c>, with twelve tiny .npy videos, feeding a <c>video_reward</c> stage of a few steps.
/// </summary>
public sealed class DataFileChangeTests
{
    private static readonly string Source = PairFileRewardExperiment.Source("filedata", "A pair file and the reward model trained on it.");

    [Fact]
    public void DataFileChanged_a_pair_file_edited_after_caching_recomputes_the_stages_that_read_it()
    {
        using var folder = new TempFolder();
        using var cache = new TempFolder();
        var labels = new[] { "A", "B", "same" };
        var random = new Random(1);
        var rows = new List<string> { "prompt,path_A,path_B,VQ,MQ,TA" };
        for (var i = 0; i < 12; i++)
        {
            foreach (var side in new[] { "a", "b" })
            {
                var pixels = Enumerable.Range(0, 4 * 8 * 8 * 3).Select(_ => (float)random.NextDouble()).ToArray();
                NpyFile.WriteFloat32(folder.File($"v{i}{side}.npy"), pixels, [4, 8, 8, 3]);
            }

            rows.Add(string.Create(CultureInfo.InvariantCulture, $"prompt {i % 3},v{i}a.npy,v{i}b.npy,{labels[i % 3]},{labels[(i + 1) % 3]},{labels[(i + 2) % 3]}"));
        }

        File.WriteAllLines(folder.File("pairs.csv"), rows);
        var experiment = folder.File("filedata.pipe");
        File.WriteAllText(experiment, Source);

        Run(cache, "compile", experiment, "-o", folder.Path);
        var first = Run(cache, "run", experiment, "--out", folder.File("first"), "--quiet");
        Assert.Contains("stage vr: running", first.StandardOutput);
        Assert.Matches(new Regex(@"^cached\s+vr ", RegexOptions.Multiline), Run(cache, "run", experiment, "--dry-run").StandardOutput);

        // One more pair in the file: the experiment text is unchanged, but what the stages read is not.
        File.AppendAllLines(folder.File("pairs.csv"), ["prompt 0,v0a.npy,v1b.npy,A,A,A"]);
        Assert.Matches(new Regex(@"^run\s+vr ", RegexOptions.Multiline), Run(cache, "run", experiment, "--dry-run").StandardOutput);
        var second = Run(cache, "run", experiment, "--out", folder.File("second"), "--quiet");
        Assert.Contains("stage vr: running", second.StandardOutput);
        Assert.DoesNotContain("stage vr: cached", second.StandardOutput);
        Assert.Contains("stages: 2 run, 0 cached", second.StandardOutput);

        // The assembly compiled before the edit still carries the old hashes: running it is refused, naming the file.
        var stale = PipelineCli.Run(["run", folder.File("filedata.dll"), "--out", folder.File("stale"), "--quiet"], cache.Path);
        Assert.Equal(1, stale.ExitCode);
        Assert.Equal("error PIPE4303: the file pairs.csv that stage 'prefs' reads (data or given weights) changed since filedata.dll was compiled, so its cached results would be stale; compile the experiment again, or run its .pipe file. (stage 'prefs')", stale.StandardError.Trim());
        Run(cache, "compile", experiment, "-o", folder.Path);
        Assert.Contains("stage vr: cached", Run(cache, "run", folder.File("filedata.dll"), "--out", folder.File("recompiled"), "--quiet").StandardOutput);
    }

    private static ProcessRunner.Result Run(TempFolder cache, params string[] arguments)
    {
        var result = PipelineCli.Run(arguments, cache.Path);
        Assert.True(result.ExitCode == 0, result.All);
        return result;
    }
}
