using System.Globalization;
using System.Text;
using System.Text.Json;
using Pipeline.Catalog;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data.Files;

namespace Pipeline.Runtime.Data.Evaluation;

/// <summary>
/// <c>pipeline reward-bench</c>: the pairwise accuracies (with and without ties, §2.5) of per-video scores from any
/// reward model on a labelled pair file, as the official evaluation (<c>eval_videogen_rewardbench.py</c>) computes them.
/// </summary>
/// <remarks>
/// <para>PAIRS is a CSV in the VideoGen-RewardBench columns: <c>path_A</c>, <c>path_B</c> and one label column per
/// dimension (<c>VQ</c>, <c>MQ</c>, <c>TA</c>, optionally <c>Overall</c>) with the values A, B or same; other columns
/// are ignored. SCORES is a CSV shaped like the official per-video output: <c>path</c>, <c>reward_VQ</c>,
/// <c>reward_MQ</c>, <c>reward_TA</c> and optionally <c>reward_Overall</c>.</para>
/// <para>A video is matched between the files by <see cref="VideoKey"/>: paths spelled differently
/// (<c>./videos/a.mp4</c> and <c>videos/a.mp4</c>, as in the official example.csv) name one video.</para>
/// <para>A dimension is reported when both files have it; Overall therefore only when PAIRS has an Overall column and
/// SCORES a reward_Overall column. Each pair's margin is score(path_A) − score(path_B).</para>
/// </remarks>
public static class RewardBench
{
    public static readonly IReadOnlyList<string> Dimensions = DimensionNames.All;

    /// <summary>Computes the accuracies of the dimensions both files have, in the order VQ, MQ, TA, Overall.</summary>
    public static IReadOnlyList<(string Dimension, DimensionAccuracy Accuracy)> Run(string pairsPath, string scoresPath)
    {
        var pairs = ReadCsv(pairsPath);
        var scores = ReadCsv(scoresPath);
        var pairHeader = Header.Read(pairs, pairsPath, "path_A", "path_B");
        var scoreHeader = Header.Read(scores, scoresPath, "path");
        var dimensions = Dimensions.Where(d => pairHeader.Has(d) && scoreHeader.Has("reward_" + d)).ToArray();
        if (dimensions.Length == 0)
        {
            throw new PipelineException(DataDiagnosticCodes.MissingColumn,
                $"{pairsPath} and {scoresPath} share no dimension: PAIRS needs label columns VQ, MQ, TA (or Overall) and SCORES the matching reward_VQ, reward_MQ, reward_TA (or reward_Overall).");
        }

        pairHeader.RequireUnique(dimensions);
        scoreHeader.RequireUnique(dimensions.Select(d => "reward_" + d));
        var folder = Path.GetDirectoryName(Path.GetFullPath(pairsPath))!;
        var byPath = new Dictionary<string, (double[] Values, string Path, int Line)>(StringComparer.Ordinal);
        foreach (var record in scores.Skip(1))
        {
            var fields = scoreHeader.Fields(record);
            var path = fields[scoreHeader["path"]];
            var values = new double[dimensions.Length];
            for (var d = 0; d < dimensions.Length; d++)
            {
                var text = fields[scoreHeader["reward_" + dimensions[d]]];
                values[d] = Score(text) ?? throw new PipelineException(
                    DataDiagnosticCodes.MalformedRow,
                    $"{scoresPath}:{record.Line}: reward_{dimensions[d]} is '{text}', not a finite number; every score must be one (infinities and NaN, however written, have no margin).");
            }

            if (!byPath.TryAdd(VideoKey(path, folder), (values, path, record.Line)))
            {
                var earlier = byPath[VideoKey(path, folder)];
                var spelling = earlier.Path == path ? string.Empty : $" (line {earlier.Line} names the same video as '{earlier.Path}')";
                throw new PipelineException(DataDiagnosticCodes.MalformedRow, $"{scoresPath}:{record.Line}: '{path}' is scored twice{spelling}.");
            }
        }

        var labels = dimensions.Select(_ => new List<PreferenceLabel>()).ToArray();
        var margins = dimensions.Select(_ => new List<double>()).ToArray();
        foreach (var record in pairs.Skip(1))
        {
            var fields = pairHeader.Fields(record);
            var a = Scores(fields[pairHeader["path_A"]], record.Line);
            var b = Scores(fields[pairHeader["path_B"]], record.Line);
            for (var d = 0; d < dimensions.Length; d++)
            {
                var text = fields[pairHeader[dimensions[d]]];
                labels[d].Add(text.Trim() switch
                {
                    "A" => PreferenceLabel.A,
                    "B" => PreferenceLabel.B,
                    "same" => PreferenceLabel.Tie,
                    _ => throw new PipelineException(DataDiagnosticCodes.UnknownLabel, $"{pairsPath}:{record.Line}: {dimensions[d]} is '{text}'; labels are A, B or same."),
                });
                margins[d].Add(a[d] - b[d]);
            }
        }

        if (labels[0].Count == 0)
        {
            throw new PipelineException(DataDiagnosticCodes.EmptyPairFile, $"{pairsPath} holds no pairs.");
        }

        return dimensions.Select((d, i) => (d, DimensionAccuracy.Of(labels[i].ToArray(), margins[i].ToArray()))).ToArray();

        double[] Scores(string path, int line) => byPath.TryGetValue(VideoKey(path, folder), out var scored)
            ? scored.Values
            : throw new PipelineException(DataDiagnosticCodes.MalformedRow, $"{pairsPath}:{line}: video '{path}' has no row in {scoresPath}.");
    }

    /// <summary>
    /// One key per video, whichever way a file spells its path: a relative path is taken from <paramref name="folder"/>
    /// (the pair file's, for both files: the official evaluation writes its scores elsewhere with the pair file's
    /// paths), and <c>.</c>, <c>..</c> and repeated or trailing slashes are folded, without touching the file system,
    /// so <c>./videos/a.mp4</c>, <c>videos/a.mp4</c> and <c>videos//a.mp4</c> are one video. Surrounding spaces are
    /// ignored, as the pair-file reader ignores them. An empty path, or one with a NUL, is its own key.
    /// </summary>
    public static string VideoKey(string path, string folder)
    {
        var text = path.Trim();
        return text.Length == 0 || text.Contains('\0', StringComparison.Ordinal) ? path : Path.GetFullPath(text, folder);
    }

    /// <summary>
    /// The JSON the command prints: <c>{"VQ": {"with_ties": 0.6123…, "without_ties": 0.73…}, …}</c>, fractions at full
    /// precision (the shortest text that reads back as the same double), so they compare exactly with the official
    /// evaluation's; null where a fraction is undefined (without ties when every label is a tie).
    /// </summary>
    public static string ToJson(IReadOnlyList<(string Dimension, DimensionAccuracy Accuracy)> results)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            foreach (var (dimension, accuracy) in results)
            {
                writer.WriteStartObject(dimension);
                WriteFraction(writer, "with_ties", accuracy.WithTies);
                WriteFraction(writer, "without_ties", accuracy.WithoutTies);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>A table for people: accuracies as percentages, the chosen tie threshold, and the pair and tie counts.</summary>
    public static string ToTable(IReadOnlyList<(string Dimension, DimensionAccuracy Accuracy)> results)
    {
        var text = new StringBuilder();
        text.AppendLine("dimension  w/ ties  w/o ties  tie threshold  pairs  ties");
        foreach (var (dimension, a) in results)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"{dimension,-9}  {Percent(a.WithTies),7}  {Percent(a.WithoutTies),8}  {a.Threshold,13:G6}  {a.Pairs,5}  {a.Ties,4}"));
        }

        return text.ToString();
    }

    private static string Percent(double value) => double.IsNaN(value) ? "n/a" : (100 * value).ToString("0.00", CultureInfo.InvariantCulture);

    private static void WriteFraction(Utf8JsonWriter writer, string name, double value)
    {
        if (double.IsNaN(value))
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteNumber(name, value);
        }
    }

    private static IReadOnlyList<CsvRecord> ReadCsv(string path)
    {
        if (!File.Exists(path))
        {
            throw new PipelineException(DataDiagnosticCodes.PairFileNotFound, $"{path}: no such file.");
        }

        return CsvRecords.Parse(File.ReadAllText(path), path);
    }

    /// <summary>
    /// A score as a finite double: .NET reads "Infinity", "∞", "1e400" (which overflows) and "NaN" as numbers, the
    /// official evaluation's Python reads "inf" and "nan" too; none of them gives a margin, so every spelling is refused.
    /// </summary>
    private static double? Score(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) ? value : null;

    /// <summary>A CSV header: where each named column is, and how many fields every row must have.</summary>
    private sealed class Header
    {
        private readonly Dictionary<string, List<int>> columns = new(StringComparer.Ordinal);
        private readonly string path;
        private readonly int count;
        private readonly int trailingUnnamed;

        private Header(CsvRecord record, string path)
        {
            this.path = path;
            count = record.Fields.Count;
            for (var i = 0; i < count; i++)
            {
                var name = record.Fields[i].Trim();
                if (!columns.TryGetValue(name, out var positions))
                {
                    columns[name] = positions = [];
                }

                positions.Add(i);
            }

            trailingUnnamed = record.Fields.Reverse().TakeWhile(f => f.Trim().Length == 0).Count();
        }

        public int this[string column] => columns[column][0];

        public static Header Read(IReadOnlyList<CsvRecord> records, string path, params string[] required)
        {
            if (records.Count == 0)
            {
                throw new PipelineException(DataDiagnosticCodes.EmptyPairFile, $"{path} is empty; it needs a header row.");
            }

            var header = new Header(records[0], path);
            foreach (var column in required)
            {
                if (!header.Has(column))
                {
                    throw new PipelineException(DataDiagnosticCodes.MissingColumn, $"{path}:1: the header has no column '{column}'.");
                }
            }

            header.RequireUnique(required);
            return header;
        }

        public bool Has(string column) => columns.ContainsKey(column);

        /// <summary>A column that is read must be named once: which of two 'VQ' columns holds the labels?</summary>
        public void RequireUnique(IEnumerable<string> read)
        {
            foreach (var column in read)
            {
                if (columns.TryGetValue(column, out var positions) && positions.Count > 1)
                {
                    throw new PipelineException(DataDiagnosticCodes.MalformedRow, $"{path}:1: the header names column '{column}' {positions.Count} times (columns {string.Join(", ", positions.Select(p => p + 1))}); keep one.");
                }
            }
        }

        /// <summary>The record's fields when it has as many as the header, else a message that says which and why.</summary>
        public IReadOnlyList<string> Fields(CsvRecord record)
        {
            if (record.Fields.Count == count)
            {
                return record.Fields;
            }

            var hint = trailingUnnamed > 0 && record.Fields.Count == count - trailingUnnamed
                ? $" (the header ends with {trailingUnnamed} unnamed column{(trailingUnnamed == 1 ? string.Empty : "s")}, a trailing comma; remove it)"
                : string.Empty;
            throw new PipelineException(DataDiagnosticCodes.MalformedRow, $"{path}:{record.Line}: {record.Fields.Count} fields, but the header has {count}{hint}.");
        }
    }
}
