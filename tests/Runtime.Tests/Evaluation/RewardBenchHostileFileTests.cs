using Pipeline.Runtime.Core;
using System.Text;
using Pipeline.Runtime.Data.Evaluation;
using Pipeline.Runtime.Kinds.VideoReward;
using Xunit.Abstractions;

namespace Pipeline.Runtime.Tests.Evaluation;

/// <summary>
/// Seeded malformed pair and score files for reward-bench: each either gives accuracies that are fractions (or
/// undefined) or is refused with a coded <see cref="PipelineException"/>, never another exception — before, two
/// infinite scores ended in an <see cref="ArgumentException"/> (exit 134).
/// </summary>
public sealed class RewardBenchHostileFileTests(ITestOutputHelper log) : IDisposable
{
    private const int Seed = 23;
    private const int Cases = 200;
    private const string Pairs = "path_A,path_B,prompt,VQ,MQ,TA\na.mp4,b.mp4,\"a ball, red\",A,B,same\nc.mp4,d.mp4,p,B,same,A\na.mp4,d.mp4,p,same,A,B\n";
    private const string Scores = "path,reward_VQ,reward_MQ,reward_TA\na.mp4,1.5,-2,0\nb.mp4,0.5,3,0\nc.mp4,-1,0,1e-3\nd.mp4,2,0.25,-7\n";
    private readonly string folder = Directory.CreateTempSubdirectory("pipeline-rewardbench-hostile-").FullName;

    private static readonly (string Name, Func<Random, string, string> Apply)[] Mutations =
    [
        ("random bytes", (r, t) => Insert(r, t, Encoding.Latin1.GetString(Bytes(r, 1 + r.Next(40))))),
        ("NUL", (r, t) => Insert(r, t, "\0")),
        ("BOM", (_, t) => "\uFEFF" + t),
        ("CRLF", (_, t) => t.Replace("\n", "\r\n", StringComparison.Ordinal)),
        ("lone CR", (_, t) => t.Replace("\n", "\r", StringComparison.Ordinal)),
        ("unterminated quote", (r, t) => Insert(r, t, "\"")),
        ("stray quote in a field", (r, t) => t.Replace(",p,", ",p\"q,", StringComparison.Ordinal)),
        ("trailing comma on the header", (_, t) => t.Insert(HeaderEnd(t), ",")),
        ("trailing commas everywhere", (_, t) => t.Replace("\n", ",\n", StringComparison.Ordinal)),
        ("duplicated header column", (_, t) => t.Insert(HeaderEnd(t), t.Contains("reward_VQ", StringComparison.Ordinal) ? ",reward_VQ" : ",VQ")),
        ("dropped header column", (r, t) => DropColumn(r, t, header: true)),
        ("dropped field", (r, t) => DropColumn(r, t, header: false)),
        ("extra field", (r, t) => Line(r, t, l => l + ",extra")),
        ("emptied", (_, _) => string.Empty),
        ("header only", (_, t) => t[..Math.Min(t.Length, HeaderEnd(t) + 1)]),
        ("blank lines", (r, t) => Insert(r, t, "\n\n\n")),
        ("truncated", (r, t) => t[..r.Next(t.Length + 1)]),
        ("duplicated row", (r, t) => Line(r, t, l => l + "\n" + l)),
        ("label typo", (_, t) => t.Replace(",same", ",Same", StringComparison.Ordinal)),
        ("label spaces", (_, t) => t.Replace(",A,", ", A ,", StringComparison.Ordinal)),
        ("non-finite score", (r, t) => t.Replace("1.5", new[] { "Infinity", "NaN", "1e400", "-inf", "∞" }[r.Next(5)], StringComparison.Ordinal)),
        ("huge finite score", (_, t) => t.Replace("1.5", "1.7976931348623157e308", StringComparison.Ordinal).Replace("0.5", "-1.7976931348623157e308", StringComparison.Ordinal)),
        ("not a number", (_, t) => t.Replace("0.25", "0,25", StringComparison.Ordinal)),
        ("missing score row", (_, t) => string.Join('\n', t.Split('\n').Where(l => !l.StartsWith("b.mp4", StringComparison.Ordinal)))),
        ("long field", (r, t) => t.Replace("a.mp4", new string('v', 1000 + r.Next(100_000)), StringComparison.Ordinal)),
        ("control characters", (r, t) => Insert(r, t, new string((char)r.Next(1, 32), 3))),
        ("invalid UTF-8", (r, t) => Insert(r, t, InvalidUtf8)),
    ];

    /// <summary>Where the header line ends: its line break, or the end of a text that has none (an earlier mutation may have removed them).</summary>
    private static int HeaderEnd(string text) => text.IndexOf('\n', StringComparison.Ordinal) is var end and >= 0 ? end : text.Length;

    [Fact]
    public void Malformed_files_give_fractions_or_a_coded_error_never_another_exception()
    {
        var problems = new List<string>();
        int refused = 0, read = 0;
        for (var i = 0; i < Cases; i++)
        {
            // Not HashCode.Combine: it is seeded anew in every process, so the cases would differ from run to run.
            var random = new Random((Seed * 10_007) + i);
            var (pairs, scores) = (Pairs, Scores);
            var done = new List<string>();
            for (var n = 1 + random.Next(2); n > 0; n--)
            {
                var (name, apply) = Mutations[random.Next(Mutations.Length)];
                var toPairs = random.Next(2) == 0;
                if (toPairs)
                {
                    pairs = apply(random, pairs);
                }
                else
                {
                    scores = apply(random, scores);
                }

                done.Add($"{name} ({(toPairs ? "pairs" : "scores")})");
            }

            File.WriteAllBytes(Path.Combine(folder, "pairs.csv"), Encode(pairs));
            File.WriteAllBytes(Path.Combine(folder, "scores.csv"), Encode(scores));
            try
            {
                var results = RewardBench.Run(Path.Combine(folder, "pairs.csv"), Path.Combine(folder, "scores.csv"));
                read++;
                foreach (var (dimension, accuracy) in results)
                {
                    foreach (var value in new[] { accuracy.WithTies, accuracy.WithoutTies })
                    {
                        if (!double.IsNaN(value) && value is < 0 or > 1)
                        {
                            problems.Add($"case {i} ({string.Join(", ", done)}): {dimension} accuracy {value}");
                        }
                    }
                }
            }
            catch (PipelineException error)
            {
                refused++;
                if (!error.Code.StartsWith("PIPE41", StringComparison.Ordinal) || error.Message.Length == 0)
                {
                    problems.Add($"case {i} ({string.Join(", ", done)}): {error.Code} {error.Message}");
                }
            }
            catch (Exception error)
            {
                problems.Add($"case {i} ({string.Join(", ", done)}): {error.GetType().Name}: {error.Message}");
            }
        }

        log.WriteLine($"{Cases} malformed reward-bench inputs (seed {Seed}): {read} read, {refused} refused with a coded error, {problems.Count} problems");
        Assert.True(problems.Count == 0, string.Join("\n", problems.Take(20)));
        Assert.True(refused > Cases / 4 && read > Cases / 20, $"{read} read, {refused} refused: the mutations barely reach one side");
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>A private-use character that <see cref="Encode"/> turns into bytes no UTF-8 text has (FF FE).</summary>
    private const string InvalidUtf8 = "\uE000";

    private static byte[] Encode(string text)
    {
        var parts = text.Split(InvalidUtf8);
        var bytes = new List<byte>(Encoding.UTF8.GetBytes(parts[0]));
        foreach (var part in parts.Skip(1))
        {
            bytes.AddRange([0xFF, 0xFE]);
            bytes.AddRange(Encoding.UTF8.GetBytes(part));
        }

        return bytes.ToArray();
    }

    private static byte[] Bytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    private static string Insert(Random random, string text, string what) => text.Insert(random.Next(text.Length + 1), what);

    private static string Line(Random random, string text, Func<string, string> change)
    {
        var lines = text.Split('\n');
        var i = random.Next(lines.Length);
        lines[i] = change(lines[i]);
        return string.Join('\n', lines);
    }

    private static string DropColumn(Random random, string text, bool header)
    {
        var lines = text.Split('\n');
        var i = header ? 0 : 1 + random.Next(Math.Max(1, lines.Length - 1));
        if (i < lines.Length && lines[i].Contains(',', StringComparison.Ordinal))
        {
            var fields = lines[i].Split(',').ToList();
            fields.RemoveAt(random.Next(fields.Count));
            lines[i] = string.Join(',', fields);
        }

        return string.Join('\n', lines);
    }
}
