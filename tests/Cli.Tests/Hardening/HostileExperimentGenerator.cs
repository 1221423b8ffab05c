using System.Text;
using Pipeline.Tests.Shared;

namespace Pipeline.Cli.Tests.Hardening;

/// <summary>
/// Seeded hostile experiment files: each starts from one of the examples and takes one to three mutations — random
/// bytes, NUL, a byte-order mark, CRLF or lone CR line ends, deep nesting, a huge file, huge and odd numbers,
/// duplicated and deleted lines, swapped lines, unknown kinds, self-references and cycles, extends cycles, Unicode
/// look-alikes and invisible characters, unterminated strings and comments. The same seed gives the same files, so a
/// failure names a file that can be written again.
/// </summary>
internal sealed class HostileExperimentGenerator(int seed, string folder)
{
    private static readonly string[] Examples = Directory.GetFiles(RepoPaths.Examples, "*.pipe").Order(StringComparer.Ordinal).Select(File.ReadAllText).ToArray();

    /// <summary>Each mutation by name, so a failure says what was done.</summary>
    private static readonly (string Name, Func<Random, string, string> Apply)[] Mutations =
    [
        ("random bytes", (r, t) => Insert(r, t, Encoding.Latin1.GetString(Bytes(r, 1 + r.Next(64))))),
        ("NUL", (r, t) => Insert(r, t, "\0")),
        ("control characters", (r, t) => Insert(r, t, new string((char)r.Next(1, 32), 1 + r.Next(3)))),
        ("byte-order marks", (r, t) => "\uFEFF" + Insert(r, t, "\uFEFF")),
        ("CRLF", (_, t) => t.Replace("\n", "\r\n", StringComparison.Ordinal)),
        ("lone CR", (_, t) => t.Replace("\n", "\r", StringComparison.Ordinal)),
        ("deep nesting", (r, t) => ReplaceValue(r, t, new string('[', 10 + r.Next(5000)))),
        ("deep maps", (r, t) => ReplaceValue(r, t, string.Concat(Enumerable.Repeat("{ a: ", 10 + r.Next(3000))))),
        ("huge file", (r, t) => t + string.Concat(Enumerable.Repeat("// padding " + new string('x', 100) + "\n", 2000 + r.Next(12000)))),
        ("huge number", (r, t) => ReplaceNumber(r, t, new string('9', 20 + r.Next(400)))),
        ("odd number", (r, t) => ReplaceNumber(r, t, r.Next(8) switch { 0 => "1e999", 1 => "-0", 2 => "0x10", 3 => "1_000", 4 => "1e-999", 5 => "-9223372036854775809", 6 => ".5", _ => "1." })),
        ("number as word", (r, t) => ReplaceNumber(r, t, r.Next(3) switch { 0 => "NaN", 1 => "Infinity", _ => "inf" })),
        ("duplicated line", (r, t) => Lines(t, r, (lines, i) => lines.Insert(i, lines[i]))),
        ("many duplicated lines", (r, t) => Lines(t, r, (lines, i) => lines.InsertRange(i, Enumerable.Repeat(lines[i], 50 + r.Next(500))))),
        ("deleted line", (r, t) => Lines(t, r, (lines, i) => lines.RemoveAt(i))),
        ("swapped lines", (r, t) => Lines(t, r, (lines, i) => (lines[i], lines[^1]) = (lines[^1], lines[i]))),
        ("deleted character", (r, t) => t.Length < 2 ? t : t.Remove(r.Next(t.Length), 1)),
        ("unknown kind", (r, t) => ReplaceAfter(r, t, "= ", "no_such_kind_" + r.Next(100) + " ")),
        ("self reference", (r, t) => SelfReference(r, t)),
        ("cycle", (r, t) => t.Replace("world.videos", "gen.videos", StringComparison.Ordinal).Replace("prefs.train", "vr.train", StringComparison.Ordinal)),
        ("look-alikes", (r, t) => LookAlikes(r, t)),
        ("invisible characters", (r, t) => Insert(r, t, r.Next(4) switch { 0 => "\u200B", 1 => "\u202E", 2 => "\u2028", _ => "\u00A0" })),
        ("unterminated string", (r, t) => Insert(r, t, "\"never closed")),
        ("unterminated comment", (r, t) => Insert(r, t, "/* never closed")),
        ("stray brackets", (r, t) => Insert(r, t, new string("{}[]()"[r.Next(6)], 1 + r.Next(200)))),
        ("emptied", (_, _) => string.Empty),
        ("truncated", (r, t) => t[..r.Next(t.Length + 1)]),
        ("huge string", (r, t) => ReplaceValue(r, t, "\"" + new string('s', 1000 + r.Next(200_000)) + "\"")),
        ("sweep", (r, t) => ReplaceNumber(r, t, "sweep [" + string.Join(", ", Enumerable.Range(1, 1 + r.Next(4))) + "]")),
    ];

    /// <summary>Writes the next file; returns its path and what was done to it.</summary>
    public (string Path, string Description) Next(int index)
    {
        // Not HashCode.Combine: it is seeded anew in every process, and the corpus must be the same in every run.
        var random = new Random((seed * 10_007) + index);
        var text = Examples[random.Next(Examples.Length)];
        var done = new List<string>();
        for (var i = 1 + random.Next(3); i > 0; i--)
        {
            var (name, apply) = Mutations[random.Next(Mutations.Length)];
            text = apply(random, text);
            done.Add(name);
        }

        var path = Path.Combine(folder, $"hostile-{index}.pipe");
        if (random.Next(10) == 0)
        {
            // An extends chain: a base that is itself, its child, or missing.
            var target = random.Next(3) switch { 0 => $"hostile-{index}.pipe", 1 => $"hostile-{index}-base.pipe", _ => "no-such-base.pipe" };
            File.WriteAllText(Path.Combine(folder, $"hostile-{index}-base.pipe"), $"experiment b extends \"hostile-{index}.pipe\" {{\n}}\n");
            text = ReplaceAfter(random, text, "experiment ", $"e extends \"{target}\" ");
            done.Add("extends " + target);
        }

        File.WriteAllBytes(path, Encoding.UTF8.GetBytes(text));
        return (path, string.Join(", ", done));
    }

    private static byte[] Bytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    private static string Insert(Random random, string text, string what) => text.Insert(random.Next(text.Length + 1), what);

    private static string Lines(string text, Random random, Action<List<string>, int> change)
    {
        var lines = text.Split('\n').ToList();
        change(lines, random.Next(lines.Count));
        return string.Join('\n', lines);
    }

    /// <summary>Replaces the value after a random '=' (the rest of its line).</summary>
    private static string ReplaceValue(Random random, string text, string value)
    {
        var at = Nth(random, text, " = ");
        if (at < 0)
        {
            return text + value;
        }

        var end = text.IndexOf('\n', at);
        return text[..(at + 3)] + value + (end < 0 ? string.Empty : text[end..]);
    }

    private static string ReplaceNumber(Random random, string text, string number)
    {
        var digits = Enumerable.Range(0, text.Length).Where(i => char.IsAsciiDigit(text[i]) && (i == 0 || !char.IsAsciiLetterOrDigit(text[i - 1]))).ToList();
        if (digits.Count == 0)
        {
            return text + number;
        }

        var start = digits[random.Next(digits.Count)];
        var end = start;
        while (end < text.Length && (char.IsAsciiDigit(text[end]) || text[end] is '.' or 'e' or '-'))
        {
            end++;
        }

        return text[..start] + number + text[end..];
    }

    private static string ReplaceAfter(Random random, string text, string marker, string replacement)
    {
        var at = Nth(random, text, marker);
        if (at < 0)
        {
            return text;
        }

        var end = at + marker.Length;
        while (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] == '_'))
        {
            end++;
        }

        return text[..at] + marker + replacement + text[end..];
    }

    /// <summary>A stage that reads its own output: <c>model gen = … { pretrain = { data: gen.videos …</c>.</summary>
    private static string SelfReference(Random random, string text)
    {
        var at = Nth(random, text, "model ");
        if (at < 0)
        {
            return text;
        }

        var name = new string(text.Skip(at + 6).TakeWhile(c => char.IsAsciiLetterOrDigit(c) || c == '_').ToArray());
        return text.Replace("world.videos", name + ".videos", StringComparison.Ordinal);
    }

    private static string LookAlikes(Random random, string text)
    {
        // Cyrillic а, е, о, р, с and a fullwidth letter in place of their Latin twins.
        var twins = new Dictionary<char, char> { ['a'] = 'а', ['e'] = 'е', ['o'] = 'о', ['p'] = 'р', ['c'] = 'с', ['d'] = 'ｄ' };
        var chars = text.ToCharArray();
        for (var n = 1 + random.Next(5); n > 0 && chars.Length > 0; n--)
        {
            var i = random.Next(chars.Length);
            if (twins.TryGetValue(chars[i], out var twin))
            {
                chars[i] = twin;
            }
        }

        return new string(chars);
    }

    private static int Nth(Random random, string text, string marker)
    {
        var positions = new List<int>();
        for (var at = text.IndexOf(marker, StringComparison.Ordinal); at >= 0; at = text.IndexOf(marker, at + 1, StringComparison.Ordinal))
        {
            positions.Add(at);
        }

        return positions.Count == 0 ? -1 : positions[random.Next(positions.Count)];
    }
}
