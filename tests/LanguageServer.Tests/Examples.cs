using Pipeline.Tests.Shared;

namespace Pipeline.LanguageServer.Tests;

/// <summary>The experiment files the tests open, and positions in them found by their text (so a changed example moves them along).</summary>
internal static class Examples
{
    public static string Mini => Path.Combine(RepoPaths.Examples, "videoalign-mini.pipe");

    public static string Unguided => Path.Combine(RepoPaths.Examples, "unguided.pipe");

    public static string Hello => Path.Combine(RepoPaths.Examples, "hello.pipe");

    /// <summary>The zero-based line and character where <paramref name="text"/> first occurs (after the first <paramref name="after"/>, if given).</summary>
    public static (int Line, int Character) Find(string path, string text, string? after = null)
    {
        var lines = File.ReadAllText(path).Split('\n');
        var start = after is null ? 0 : Array.FindIndex(lines, l => l.Contains(after, StringComparison.Ordinal));
        for (var i = Math.Max(0, start); i < lines.Length; i++)
        {
            var column = lines[i].IndexOf(text, StringComparison.Ordinal);
            if (column >= 0)
            {
                return (i, column);
            }
        }

        throw new InvalidOperationException($"'{text}' is not in {path}");
    }
}
