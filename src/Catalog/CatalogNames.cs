namespace Pipeline.Catalog;

/// <summary>
/// The one rule between the catalogue's snake_case names and C#'s PascalCase (<c>cfg_dropout</c> ↔ <c>CfgDropout</c>)
/// and camelCase (<c>coefficient_cap</c> → <c>coefficientCap</c>): the compiler finds a kind's options and stage types,
/// their properties, the members a dotted reference reaches (<c>world.eval_prompts</c> → <c>EvalPrompts</c>) and the
/// parameters of a call (<c>relabel(reward: vr)</c> → <c>Relabel(reward: …)</c>) by it.
/// </summary>
public static class CatalogNames
{
    /// <summary><c>flow_generator</c> → <c>FlowGenerator</c>.</summary>
    public static string PascalCase(string snake) =>
        string.Concat(snake.Split('_', StringSplitOptions.RemoveEmptyEntries).Select(part => char.ToUpperInvariant(part[0]) + part[1..]));

    /// <summary><c>coefficient_cap</c> → <c>coefficientCap</c>: a C# parameter's name.</summary>
    public static string CamelCase(string snake)
    {
        var pascal = PascalCase(snake);
        return pascal.Length == 0 ? pascal : char.ToLowerInvariant(pascal[0]) + pascal[1..];
    }

    /// <summary><c>EvalPrompts</c> → <c>eval_prompts</c>, the inverse of <see cref="PascalCase"/>.</summary>
    public static string SnakeCase(string pascal) =>
        string.Concat(pascal.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : string.Empty) + char.ToLowerInvariant(c) : c.ToString()));
}
