namespace Pipeline.Cli.Tests;

/// <summary>
/// The experiment the pair-file tests run (DataFileChangeTests, DecodedVideoStoreRunTests): a pair file,
/// <c>pairs.csv</c> beside the experiment, split in halves, and a reward model of a few steps trained on it.
/// </summary>
internal static class PairFileRewardExperiment
{
    /// <summary>The experiment's text, named <paramref name="name"/> (the compiled assembly's name too).</summary>
    public static string Source(string name, string comment) => $$"""
        // {{comment}}
        experiment {{name}} {
          seed   = 4
          device = cpu

          data prefs = preference_pairs {
            source     = "pairs.csv"
            split      = { train: 0.5, eval: 0.5 }
            frames     = 4
            resolution = [8, 8]
          }

          reward vr = video_reward {
            train  = prefs.train
            eval   = prefs.eval
            width  = 8
            epochs = 2
            batch  = 4
          }
        }

        """;
}
