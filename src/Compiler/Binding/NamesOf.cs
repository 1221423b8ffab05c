using Pipeline.Catalog;
using Pipeline.Compiler.Diagnostics;

namespace Pipeline.Compiler.Binding;

internal static class NamesOf
{
    /// <summary>PascalCase of a catalogue name; catalogue names are snake_case ASCII, so the result is a valid identifier.</summary>
    public static string Pascal(string snake)
    {
        var pascal = CatalogNames.PascalCase(snake);
        return Names.IsSafeIdentifier(pascal) ? pascal : throw new InvalidOperationException($"catalogue name '{snake}' is not an identifier");
    }
}
