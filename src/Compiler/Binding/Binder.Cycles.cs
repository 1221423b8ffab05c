using Pipeline.Compiler.Diagnostics;

namespace Pipeline.Compiler.Binding;

internal sealed partial class Binder
{
    /// <summary>Reports each cycle once, at the first stage of it in name order; true when there is one.</summary>
    private bool FindCycles(SemanticModel model)
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new List<string>();
        var found = false;
        var reported = new HashSet<string>(StringComparer.Ordinal);

        void Visit(StageSymbol stage)
        {
            state[stage.Name] = 1;
            stack.Add(stage.Name);
            foreach (var dependency in stage.Dependencies)
            {
                var next = model.FindStage(dependency);
                if (next is null)
                {
                    continue;
                }

                var seen = state.GetValueOrDefault(dependency);
                if (seen == 1)
                {
                    found = true;
                    var cycle = stack.Skip(stack.IndexOf(dependency)).ToList();
                    var key = string.Join(",", cycle.Order(StringComparer.Ordinal));
                    if (reported.Add(key))
                    {
                        var first = cycle.Min(StringComparer.Ordinal)!;
                        var start = cycle.IndexOf(first);
                        var rotated = cycle.Skip(start).Concat(cycle.Take(start)).Append(first);
                        var at = model.FindStage(first)!;
                        currentPath = at.SourcePath;
                        Report(CompilerDiagnostics.Cycle(at.NameSpan, rotated));
                    }
                }
                else if (seen == 0)
                {
                    Visit(next);
                }
            }

            stack.RemoveAt(stack.Count - 1);
            state[stage.Name] = 2;
        }

        foreach (var stage in model.Stages)
        {
            if (state.GetValueOrDefault(stage.Name) == 0)
            {
                Visit(stage);
            }
        }

        currentPath = filePath;
        model.HasCycle = found;
        return found;
    }
}
