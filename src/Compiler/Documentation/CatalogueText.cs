using System.Text;
using Pipeline.Catalog;

namespace Pipeline.Compiler.Documentation;

/// <summary>
/// The catalogue for a terminal (<c>pipeline kinds [KIND]</c>) and for docs/kinds.md (<c>--markdown</c>), both from
/// <see cref="CatalogueEntries"/>.
/// </summary>
public static class CatalogueText
{
    /// <summary>Every kind on one line (role, kind, what it produces, what it is), then the experiment's properties.</summary>
    public static string Summary()
    {
        var text = new StringBuilder();
        text.Append("Stage kinds, declared as ROLE NAME = KIND { PROPERTY = VALUE ... }; 'pipeline kinds KIND' lists a kind's properties.\n\n");
        var kindWidth = StageCatalog.Kinds.Max(k => k.Name.Length);
        var producesWidth = StageCatalog.Kinds.Max(k => k.Produces.ToString().Length);
        foreach (var kind in StageCatalog.Kinds)
        {
            text.Append($"  {RoleKeywords.Keyword(kind.Role),-8}  {kind.Name.PadRight(kindWidth)}  {kind.Produces.ToString().PadRight(producesWidth)}  {kind.Doc}\n");
        }

        text.Append("\nExperiment properties, written before the stages:\n");
        AppendEntries(text, CatalogueEntries.Properties(StageCatalog.ExperimentProperties));
        return text.ToString();
    }

    /// <summary>One kind: how it is declared, what it produces, its properties and the members of what it produces.</summary>
    public static string Describe(StageKind kind)
    {
        var text = new StringBuilder();
        text.Append($"{RoleKeywords.Keyword(kind.Role)} NAME = {kind.Name} {{ ... }} produces {kind.Produces.WithArticle()}.\n");
        text.Append($"{kind.Doc}\n\nProperties:\n");
        AppendEntries(text, CatalogueEntries.Properties(kind.Properties));
        var members = CatalogueEntries.Members(kind);
        if (members.Count > 0)
        {
            text.Append("\nMembers, written NAME.MEMBER:\n");
            foreach (var member in members)
            {
                text.Append($"  {CatalogueEntries.Signature(member)}: {member.Result}\n      {member.Doc}\n");
            }
        }

        if (kind.Checks.Count > 0)
        {
            text.Append("\nThe compiler checks that:\n");
            foreach (var check in kind.Checks)
            {
                text.Append($"  {check.Describe()}\n");
            }
        }

        return text.ToString();
    }

    private static void AppendEntries(StringBuilder text, IEnumerable<CatalogueEntry> entries)
    {
        foreach (var entry in entries)
        {
            var indent = entry.IsField ? "    " : "  ";
            var value = entry.Required ? " (required)" : entry.Default is null ? " (optional)" : " = " + entry.Default;
            text.Append($"{indent}{entry.Name}: {entry.Type}{value}\n{indent}    {entry.Doc}\n");
        }
    }
}
