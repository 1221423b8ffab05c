using System.Text;
using Pipeline.Compiler.Binding;

namespace Pipeline.Compiler.Lowering;

/// <summary>The stage DAG as Mermaid or Graphviz DOT: one node per stage (inline ones too), one edge per dependency, by name.</summary>
public static class GraphWriter
{
    public static string Mermaid(SemanticModel model)
    {
        var ids = Ids(model);
        var builder = new StringBuilder("flowchart LR\n");
        foreach (var stage in model.Stages)
        {
            builder.Append("  ").Append(ids[stage.Name]).Append("[\"").Append(Escape(stage.Name, mermaid: true)).Append("<br/>").Append(stage.Kind.Name).Append("\"]\n");
        }

        foreach (var stage in model.Stages)
        {
            foreach (var dependency in stage.Dependencies)
            {
                builder.Append("  ").Append(ids[dependency]).Append(" --> ").Append(ids[stage.Name]).Append('\n');
            }
        }

        return builder.ToString();
    }

    public static string Dot(SemanticModel model)
    {
        var builder = new StringBuilder("digraph ").Append(Quote(model.Name)).Append(" {\n  rankdir=LR;\n  node [shape=box];\n");
        foreach (var stage in model.Stages)
        {
            builder.Append("  ").Append(Quote(stage.Name)).Append(" [label=").Append(Quote(stage.Name + "\\n" + stage.Kind.Name)).Append("];\n");
        }

        foreach (var stage in model.Stages)
        {
            foreach (var dependency in stage.Dependencies)
            {
                builder.Append("  ").Append(Quote(dependency)).Append(" -> ").Append(Quote(stage.Name)).Append(";\n");
            }
        }

        return builder.Append("}\n").ToString();
    }

    // Stage names are identifiers, and inline ones hold one dot; Mermaid ids may not, so they get s0, s1, ... by name.
    private static Dictionary<string, string> Ids(SemanticModel model) =>
        model.Stages.Select((s, i) => (s.Name, Id: "s" + i)).ToDictionary(p => p.Name, p => p.Id, StringComparer.Ordinal);

    private static string Quote(string text) => "\"" + text.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static string Escape(string text, bool mermaid) => mermaid ? text.Replace("\"", "#quot;", StringComparison.Ordinal) : text;
}
