namespace Pipeline.Runtime.Execution;

/// <summary>Runs an experiment's stages in dependency order. Generated <c>Run</c> methods call this.</summary>
public static class ExperimentRunner
{
    public static RunResult RunAll(IExperiment experiment, RunContext context)
    {
        foreach (var stage in TopologicalOrder(experiment.Info.Stages))
        {
            context.RunStage(experiment, stage.Name);
        }

        return new RunResult(experiment.Info, context.Outputs.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal));
    }

    /// <summary>
    /// Dependencies first; then the stages that depend on nothing (the data stages, which read files: a file that
    /// cannot be read, or a video without ffmpeg, fails the run before anything trains); ties broken by name, so the
    /// order never depends on declaration order.
    /// </summary>
    public static IReadOnlyList<StageInfo> TopologicalOrder(IReadOnlyList<StageInfo> stages)
    {
        var byName = stages.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var done = new HashSet<string>(StringComparer.Ordinal);
        var order = new List<StageInfo>();
        var ready = new SortedSet<string>(stages.Where(s => s.Dependencies.Count == 0).Select(s => s.Name), StringComparer.Ordinal);
        while (ready.Count > 0)
        {
            var next = ready.FirstOrDefault(name => byName[name].Dependencies.Count == 0) ?? ready.Min!;
            ready.Remove(next);
            done.Add(next);
            order.Add(byName[next]);
            foreach (var candidate in stages)
            {
                if (!done.Contains(candidate.Name) && !ready.Contains(candidate.Name) && candidate.Dependencies.All(done.Contains))
                {
                    ready.Add(candidate.Name);
                }
            }
        }

        if (order.Count != stages.Count)
        {
            throw new InvalidOperationException("the stage graph has a cycle or a missing dependency; the compiler should have rejected it");
        }

        return order;
    }
}
