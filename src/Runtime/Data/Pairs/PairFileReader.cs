using System.Text.Json;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data.Files;

namespace Pipeline.Runtime.Data.Pairs;

/// <summary>
/// Reads preference pairs from a CSV or JSONL file in the VideoGen-RewardBench / VideoAlign columns:
/// <c>path_A, path_B, prompt</c> and one label column per kept dimension (<c>VQ, MQ, TA</c>, optionally
/// <c>Overall</c>) with the values <c>A</c>, <c>B</c> or <c>same</c>. Other columns (fps_A, num_frames_A, A_model, …)
/// are kept as extras. Video paths are relative to the pair file's folder (<c>videos/x.mp4</c> or <c>./videos/x.mp4</c>).
/// </summary>
/// <remarks>
/// Loading is all or nothing: every row is checked and every video decoded before anything is returned, and the first
/// problem is a <see cref="PipelineException"/> whose message starts with "file:line:".
/// </remarks>
public static class PairFileReader
{
    /// <summary>The prompt column.</summary>
    public const string PromptColumn = "prompt";

    /// <summary>The column of video A's path.</summary>
    public const string PathAColumn = "path_A";

    /// <summary>The column of video B's path.</summary>
    public const string PathBColumn = "path_B";

    /// <summary>Reads a .csv or .jsonl pair file, keeping <paramref name="dimensions"/>, decoding videos with <paramref name="sampling"/>.</summary>
    public static PreferencePairSet Read(string path, IReadOnlyList<PreferenceDimension> dimensions, VideoSampling sampling)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(dimensions);
        ArgumentNullException.ThrowIfNull(sampling);
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new PipelineException(DataDiagnosticCodes.PairFileNotFound, $"{path}: the pair file does not exist.");
        }

        var extension = Path.GetExtension(fullPath).ToLowerInvariant();
        var (columns, rows) = extension switch
        {
            ".csv" => ReadCsv(fullPath, path),
            ".jsonl" => ReadJsonl(fullPath, path),
            _ => throw new PipelineException(DataDiagnosticCodes.MalformedRow, $"{path}: a pair file is .csv or .jsonl, not '{extension}'."),
        };

        if (rows.Count == 0)
        {
            throw new PipelineException(DataDiagnosticCodes.EmptyPairFile, $"{path}: the pair file has no rows.");
        }

        var layout = Layout.Of(columns, dimensions);
        var checkedRows = CheckRows(rows, layout, Path.GetDirectoryName(fullPath)!, path);
        var videos = DecodeVideos(checkedRows, sampling, path);
        var pairs = checkedRows.Select(row => new PreferencePair(
            row.Prompt,
            new DecodedVideo(row.PathA, videos[row.PathA]),
            new DecodedVideo(row.PathB, videos[row.PathB]),
            row.Labels,
            row.Extras,
            $"{path}:{row.Line}")
        {
            TargetsA = row.TargetsA,
            TargetsB = row.TargetsB,
        }).ToArray();
        return new PreferencePairSet(sampling.Shape, dimensions, layout.ExtraColumns, pairs) { Fps = sampling.Fps };
    }

    /// <summary>The columns a file with <paramref name="Dimensions"/> needs, whether it has every MOS column, and its other columns.</summary>
    private sealed record Layout(IReadOnlyList<PreferenceDimension> Dimensions, List<string> Required, bool HasTargets, string[] ExtraColumns)
    {
        public static Layout Of(IReadOnlyList<string> columns, IReadOnlyList<PreferenceDimension> dimensions)
        {
            var required = new List<string> { PathAColumn, PathBColumn, PromptColumn };
            required.AddRange(dimensions.Select(d => d.ToString()));
            var targetColumns = dimensions.SelectMany(d => new[] { $"MOS_A_{d}", $"MOS_B_{d}" }).ToArray();
            var hasTargets = targetColumns.All(c => columns.Contains(c, StringComparer.Ordinal));
            var extraColumns = columns.Where(c => !required.Contains(c, StringComparer.Ordinal) && !(hasTargets && targetColumns.Contains(c, StringComparer.Ordinal))).ToArray();
            return new Layout(dimensions, required, hasTargets, extraColumns);
        }
    }

    /// <summary>A row that passed every check: its labels, targets and extras parsed, its video paths resolved.</summary>
    private sealed record CheckedRow(
        int Line,
        string Prompt,
        string PathA,
        string PathB,
        Dictionary<PreferenceDimension, PreferenceLabel> Labels,
        Dictionary<string, string> Extras,
        Dictionary<PreferenceDimension, float>? TargetsA,
        Dictionary<PreferenceDimension, float>? TargetsB);

    /// <summary>Checks every row before any video is decoded, so that a bad label on the last line fails first.</summary>
    private static List<CheckedRow> CheckRows(List<(int Line, Dictionary<string, string> Values)> rows, Layout layout, string folder, string path)
    {
        var checkedRows = new List<CheckedRow>();
        foreach (var (line, values) in rows)
        {
            foreach (var column in layout.Required)
            {
                if (!values.ContainsKey(column))
                {
                    throw new PipelineException(DataDiagnosticCodes.MissingColumn,
                        $"{path}:{line}: column '{column}' is missing; a pair file needs {string.Join(", ", layout.Required)}.");
                }
            }

            var prompt = values[PromptColumn];
            if (string.IsNullOrWhiteSpace(prompt))
            {
                throw new PipelineException(DataDiagnosticCodes.MalformedRow, $"{path}:{line}: the prompt is empty.");
            }

            var labels = new Dictionary<PreferenceDimension, PreferenceLabel>();
            foreach (var dimension in layout.Dimensions)
            {
                labels[dimension] = ParseLabel(values[dimension.ToString()], path, line, dimension);
            }

            var pathA = ResolveVideo(values[PathAColumn], PathAColumn, folder, path, line);
            var pathB = ResolveVideo(values[PathBColumn], PathBColumn, folder, path, line);
            var extras = layout.ExtraColumns.Where(values.ContainsKey).ToDictionary(c => c, c => values[c], StringComparer.Ordinal);
            Dictionary<PreferenceDimension, float>? targetsA = null, targetsB = null;
            if (layout.HasTargets)
            {
                targetsA = layout.Dimensions.ToDictionary(d => d, d => ParseTarget(values, $"MOS_A_{d}", path, line));
                targetsB = layout.Dimensions.ToDictionary(d => d, d => ParseTarget(values, $"MOS_B_{d}", path, line));
            }

            checkedRows.Add(new CheckedRow(line, prompt, pathA, pathB, labels, extras, targetsA, targetsB));
        }

        return checkedRows;
    }

    /// <summary>Decodes each distinct video once, in parallel; an error names the first row that uses the video.</summary>
    private static System.Collections.Concurrent.ConcurrentDictionary<string, Video> DecodeVideos(List<CheckedRow> checkedRows, VideoSampling sampling, string path)
    {
        var firstUse = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var row in checkedRows)
        {
            firstUse.TryAdd(row.PathA, row.Line);
            firstUse.TryAdd(row.PathB, row.Line);
        }

        var videos = new System.Collections.Concurrent.ConcurrentDictionary<string, Video>(StringComparer.Ordinal);
        var failures = new System.Collections.Concurrent.ConcurrentBag<(int Line, PipelineException Error)>();
        Parallel.ForEach(firstUse, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Environment.ProcessorCount) }, entry =>
        {
            try
            {
                videos[entry.Key] = VideoFileReader.Read(entry.Key, sampling);
            }
            catch (PipelineException error)
            {
                failures.Add((entry.Value, error));
            }
        });

        if (!failures.IsEmpty)
        {
            var (line, error) = failures.OrderBy(f => f.Line).First();
            throw new PipelineException(error.Code, $"{path}:{line}: {error.Message}", error);
        }

        return videos;
    }

    /// <summary>Parses A, B or same (case-insensitive, surrounding spaces ignored).</summary>
    public static PreferenceLabel ParseLabel(string value, string file, int line, PreferenceDimension dimension)
    {
        var text = value.Trim();
        if (text.Equals("A", StringComparison.OrdinalIgnoreCase))
        {
            return PreferenceLabel.A;
        }

        if (text.Equals("B", StringComparison.OrdinalIgnoreCase))
        {
            return PreferenceLabel.B;
        }

        if (text.Equals("same", StringComparison.OrdinalIgnoreCase))
        {
            return PreferenceLabel.Tie;
        }

        throw new PipelineException(DataDiagnosticCodes.UnknownLabel,
            $"{file}:{line}: column {dimension} has the label '{value}'; a label is A, B or same.");
    }

    /// <summary>A MOS column's value: a number, or NaN when empty (the repository's default of absent scores).</summary>
    private static float ParseTarget(Dictionary<string, string> values, string column, string file, int line)
    {
        var text = values.TryGetValue(column, out var value) ? value.Trim() : "";
        if (text.Length == 0)
        {
            return float.NaN;
        }

        return float.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new PipelineException(DataDiagnosticCodes.MalformedRow, $"{file}:{line}: column {column} holds '{value}', which is not a number.");
    }

    private static string ResolveVideo(string relative, string column, string folder, string file, int line)
    {
        if (string.IsNullOrWhiteSpace(relative))
        {
            throw new PipelineException(DataDiagnosticCodes.MalformedRow, $"{file}:{line}: column {column} is empty; it names a video file.");
        }

        var full = Path.GetFullPath(Path.Combine(folder, relative.Trim()));
        if (!File.Exists(full))
        {
            throw new PipelineException(DataDiagnosticCodes.VideoFileMissing,
                $"{file}:{line}: the video '{relative}' in column {column} does not exist (looked for {full}).");
        }

        return full;
    }

    private static (IReadOnlyList<string> Columns, List<(int Line, Dictionary<string, string> Values)> Rows) ReadCsv(string fullPath, string shownPath)
    {
        var records = CsvRecords.Parse(File.ReadAllText(fullPath), shownPath);
        if (records.Count == 0)
        {
            throw new PipelineException(DataDiagnosticCodes.EmptyPairFile, $"{shownPath}: the pair file is empty; it needs a header row.");
        }

        var header = records[0].Fields.Select(f => f.Trim()).ToArray();
        var duplicate = header.GroupBy(h => h, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new PipelineException(DataDiagnosticCodes.MalformedRow, $"{shownPath}:{records[0].Line}: the header names column '{duplicate.Key}' twice.");
        }

        var rows = new List<(int, Dictionary<string, string>)>();
        foreach (var record in records.Skip(1))
        {
            if (record.Fields.Count != header.Length)
            {
                throw new PipelineException(DataDiagnosticCodes.MalformedRow,
                    $"{shownPath}:{record.Line}: the row has {record.Fields.Count} fields but the header has {header.Length}; quote fields that contain commas.");
            }

            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < header.Length; i++)
            {
                values[header[i]] = record.Fields[i];
            }

            rows.Add((record.Line, values));
        }

        return (header, rows);
    }

    private static (IReadOnlyList<string> Columns, List<(int Line, Dictionary<string, string> Values)> Rows) ReadJsonl(string fullPath, string shownPath)
    {
        var columns = new List<string>();
        var rows = new List<(int, Dictionary<string, string>)>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(fullPath))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(line);
            }
            catch (JsonException error)
            {
                throw new PipelineException(DataDiagnosticCodes.MalformedRow, $"{shownPath}:{lineNumber}: invalid JSON: {error.Message}", error);
            }

            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    throw new PipelineException(DataDiagnosticCodes.MalformedRow, $"{shownPath}:{lineNumber}: each line must be one JSON object.");
                }

                var values = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    values[property.Name] = property.Value.ValueKind switch
                    {
                        JsonValueKind.String => property.Value.GetString()!,
                        JsonValueKind.Null => "",
                        _ => property.Value.GetRawText(),
                    };
                    if (!columns.Contains(property.Name))
                    {
                        columns.Add(property.Name);
                    }
                }

                rows.Add((lineNumber, values));
            }
        }

        return (columns, rows);
    }
}
