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
        var pairHeader = Header(pairs, pairsPath, "path_A", "path_B");
        var scoreHeader = Header(scores, scoresPath, "path");
        var dimensions = Dimensions.Where(d => pairHeader.ContainsKey(d) && scoreHeader.ContainsKey("reward_" + d)).ToArray();
        if (dimensions.Length == 0)
        {
            throw new PipelineException(DataDiagnosticCodes.MissingColumn,
                $"{pairsPath} and {scoresPath} share no dimension: PAIRS needs label columns VQ, MQ, TA (or Overall) and SCORES the matching reward_VQ, reward_MQ, reward_TA (or reward_Overall).");
        }

        var byPath = new Dictionary<string, double[]>(StringComparer.Ordinal);
        foreach (var record in scores.Skip(1))
        {
            var fields = Fields(record, scoreHeader.Count, scoresPath);
            var path = fields[scoreHeader["path"]];
            var values = new double[dimensions.Length];
            for (var d = 0; d < dimensions.Length; d++)
            {
                var text = fields[scoreHeader["reward_" + dimensions[d]]];
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out values[d]) || double.IsNaN(values[d]))
                {
                    throw new PipelineException(DataDiagnosticCodes.MalformedRow, $"{scoresPath}:{record.Line}: reward_{dimensions[d]} is '{text}', not a number.");
                }
            }

            if (!byPath.TryAdd(path, values))
            {
                throw new PipelineException(DataDiagnosticCodes.MalformedRow, $"{scoresPath}:{record.Line}: '{path}' is scored twice.");
            }
        }

        var labels = dimensions.Select(_ => new List<PreferenceLabel>()).ToArray();
        var margins = dimensions.Select(_ => new List<double>()).ToArray();
        foreach (var record in pairs.Skip(1))
        {
            var fields = Fields(record, pairHeader.Count, pairsPath);
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

        double[] Scores(string path, int line) => byPath.TryGetValue(path, out var values)
            ? values
            : throw new PipelineException(DataDiagnosticCodes.MalformedRow, $"{pairsPath}:{line}: video '{path}' has no row in {scoresPath}.");
    }

    /// <summary>The JSON the command prints: <c>{"VQ": {"with_ties": 0.61, "without_ties": 0.73}, …}</c>, fractions rounded to 4 decimals.</summary>
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
            writer.WriteNumber(name, Math.Round(value, 4));
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

    private static Dictionary<string, int> Header(IReadOnlyList<CsvRecord> records, string path, params string[] required)
    {
        if (records.Count == 0)
        {
            throw new PipelineException(DataDiagnosticCodes.EmptyPairFile, $"{path} is empty; it needs a header row.");
        }

        var header = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < records[0].Fields.Count; i++)
        {
            header.TryAdd(records[0].Fields[i].Trim(), i);
        }

        foreach (var column in required)
        {
            if (!header.ContainsKey(column))
            {
                throw new PipelineException(DataDiagnosticCodes.MissingColumn, $"{path}:1: the header has no column '{column}'.");
            }
        }

        return header;
    }

    private static IReadOnlyList<string> Fields(CsvRecord record, int count, string path) =>
        record.Fields.Count == count
            ? record.Fields
            : throw new PipelineException(DataDiagnosticCodes.MalformedRow, $"{path}:{record.Line}: {record.Fields.Count} fields, but the header has {count}.");
}
