namespace Pipeline.Compiler.Diagnostics;

/// <summary>Name rules shared by the phases: case conversion and safe identifiers.</summary>
public static class Names
{
    /// <summary><c>flow_generator</c> → <c>FlowGenerator</c>, the runtime's naming rule (CatalogDefaults.PascalCase).</summary>
    public static string PascalCase(string snake) =>
        string.Concat(snake.Split('_', StringSplitOptions.RemoveEmptyEntries).Select(part => char.ToUpperInvariant(part[0]) + part[1..]));

    /// <summary>True for a name that is safe as (part of) a C# identifier: ASCII letter or '_' first, then letters, digits, '_'.</summary>
    public static bool IsSafeIdentifier(string name) =>
        name.Length is > 0 and <= 200
        && (char.IsAsciiLetter(name[0]) || name[0] == '_')
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
