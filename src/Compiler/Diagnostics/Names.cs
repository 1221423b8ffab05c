namespace Pipeline.Compiler.Diagnostics;

/// <summary>Name rules shared by the phases: safe identifiers (case conversion is <see cref="Catalog.CatalogNames"/>).</summary>
public static class Names
{
    /// <summary>True for a name that is safe as (part of) a C# identifier: ASCII letter or '_' first, then letters, digits, '_'.</summary>
    public static bool IsSafeIdentifier(string name) =>
        name.Length is > 0 and <= 200
        && (char.IsAsciiLetter(name[0]) || name[0] == '_')
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
