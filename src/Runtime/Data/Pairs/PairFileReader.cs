using System.Text.Json;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data.Files;
using Pipeline.Runtime.Data.Store;

namespace Pipeline.Runtime.Data.Pairs;

/// <summary>How <see cref="PairFileReader.Load"/> reads a pair file's videos.</summary>
/// <param name="StoreRoot">Where decoded-video stores live (the stage cache's <c>.videos</c>); null decodes into memory on every load.</param>
/// <param name="Workers">Videos decoded at once; 0 takes <see cref="DecodeWorkers.Available()"/>.</param>
/// <param name="Progress">Called with (done, total) as the videos that need work are decoded, from the workers' threads.</param>
/// <param name="SkipBadVideos">Leave out the pairs whose videos cannot be read (<c>on_bad_video = skip</c>) instead of failing.</param>
public sealed record PairFileSettings(string? StoreRoot = null, int Workers = 0, Action<int, int>? Progress = null, bool SkipBadVideos = false);

/// <summary>What <see cref="PairFileReader.Load"/> read: the pairs, how their videos were loaded, and how many pairs were left out for bad videos.</summary>
public sealed record PairFileLoad(PreferencePairSet Pairs, VideoLoad Videos, int SkippedPairs);

/// <summary>
/// Reads preference pairs from a CSV or JSONL file in the VideoGen-RewardBench / VideoAlign columns:
/// <c>path_A, path_B, prompt</c> and one label column per kept dimension (<c>VQ, MQ, TA</c>, optionally
/// <c>Overall</c>) with the values <c>A</c>, <c>B</c> or <c>same</c>, in any order. Other columns (A_model, fps_A,
/// num_frames_A, …) are kept as extras. Video paths are relative to the pair file's folder (<c>videos/x.mp4</c> or
/// <c>./videos/x.mp4</c>).
/// </summary>
/// <remarks>
/// Rows are read one at a time (the file is never in memory as a whole), and every row is checked before any video is
/// decoded: all bad rows are reported together, each with its line, and so are all unreadable videos, each with the
/// first line that uses it (<see cref="VideoLoader"/>), unless <see cref="PairFileSettings.SkipBadVideos"/> leaves
/// their pairs out.
/// </remarks>
public static class PairFileReader
{
    /// <summary>The prompt column.</summary>
    public const string PromptColumn = "prompt";

    /// <summary>The column of video A's path.</summary>
    public const string PathAColumn = "path_A";

    /// <summary>The column of video B's path.</summary>
    public const string PathBColumn = "path_B";

    /// <summary>Problems listed in one error message; the rest are counted.</summary>
    private const int ListedProblems = 5;

    /// <summary>Reads a .csv or .jsonl pair file, keeping <paramref name="dimensions"/>, decoding videos with <paramref name="sampling"/> into memory.</summary>
    public static PreferencePairSet Read(string path, IReadOnlyList<PreferenceDimension> dimensions, VideoSampling sampling) =>
        Load(path, dimensions, sampling, new PairFileSettings()).Pairs;

    /// <summary>Reads a .csv or .jsonl pair file, loading its videos as <paramref name="settings"/> say.</summary>
    public static PairFileLoad Load(string path, IReadOnlyList<PreferenceDimension> dimensions, VideoSampling sampling, PairFileSettings settings)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(dimensions);
        ArgumentNullException.ThrowIfNull(sampling);
        ArgumentNullException.ThrowIfNull(settings);
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new PipelineException(DataDiagnosticCodes.PairFileNotFound, $"{path}: the pair file does not exist.");
        }

        var extension = Path.GetExtension(fullPath).ToLowerInvariant();
        if (extension is not ".csv" and not ".jsonl")
        {
            throw new PipelineException(DataDiagnosticCodes.MalformedRow, $"{path}: a pair file is .csv or .jsonl, not '{extension}'.");
        }

        var checker = new RowChecker(dimensions, Path.GetDirectoryName(fullPath)!, path);
        using (var reader = new StreamReader(fullPath, detectEncodingFromByteOrderMarks: true))
        {
            if (extension == ".csv")
            {
                ReadCsv(reader, path, checker);
            }
            else
            {
                ReadJsonl(reader, path, checker);
            }
        }

        checker.ThrowIfBad();
        if (checker.Rows.Count == 0)
        {
            throw new PipelineException(DataDiagnosticCodes.EmptyPairFile, $"{path}: the pair file has no rows.");
        }

        var firstUse = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var row in checker.Rows)
        {
            firstUse.TryAdd(row.PathA, row.Line);
            firstUse.TryAdd(row.PathB, row.Line);
        }

        var workers = settings.Workers > 0 ? settings.Workers : DecodeWorkers.Available();
        var videos = VideoLoader.Load(firstUse.Keys, sampling, new VideoLoadSettings(settings.StoreRoot, fullPath, workers, settings.Progress));
        var bad = videos.Bad.Select(b => (Line: firstUse[b.Path], Video: b)).OrderBy(b => b.Line).ThenBy(b => b.Video.Path, StringComparer.Ordinal).ToArray();
        var pairs = checker.Rows
            .Where(row => videos.Videos.ContainsKey(row.PathA) && videos.Videos.ContainsKey(row.PathB))
            .Select(row => new PreferencePair(row.Prompt, Source(row.PathA, videos), Source(row.PathB, videos), row.Labels, row.Extras, $"{path}:{row.Line}")
            {
                TargetsA = row.TargetsA,
                TargetsB = row.TargetsB,
            }).ToArray();
        if (bad.Length > 0 && (!settings.SkipBadVideos || pairs.Length == 0))
        {
            var problems = bad.Select(b => (b.Video.Code, $"{path}:{b.Line}: {b.Video.Reason}")).ToArray();
            var fix = settings.SkipBadVideos
                ? "every pair uses one of them; fix or replace the videos"
                : "fix or remove them, or set on_bad_video = skip to leave their pairs out";
            throw Problems(problems, DataDiagnosticCodes.BadVideos, $"{bad.Length} videos of {path} cannot be read", fix);
        }

        return new PairFileLoad(new PreferencePairSet(sampling.Shape, dimensions, checker.Layout?.ExtraColumns ?? [], pairs) { Fps = sampling.Fps }, videos, checker.Rows.Count - pairs.Length);
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

    private static VideoSource Source(string path, VideoLoad videos)
    {
        var video = videos.Videos[path];
        return video.Floats is { } floats ? new DecodedVideo(path, floats) : new StoredVideo(path, video.Store!, video.Entry!);
    }

    /// <summary>
    /// One error for a list of problems: the problem itself when there is one (its own code and message), else
    /// <paramref name="code"/> with a summary, the first few problems and a count of the rest.
    /// </summary>
    private static PipelineException Problems(IReadOnlyList<(string Code, string Message)> problems, string code, string summary, string fix)
    {
        if (problems.Count == 1)
        {
            return new PipelineException(problems[0].Code, problems[0].Message);
        }

        var listed = string.Join("; ", problems.Take(ListedProblems).Select(p => p.Message.TrimEnd('.')));
        var more = problems.Count > ListedProblems ? $"; and {problems.Count - ListedProblems} more" : string.Empty;
        return new PipelineException(code, $"{summary}: {listed}{more}; {fix}.");
    }

    private static void ReadCsv(TextReader reader, string shownPath, RowChecker checker)
    {
        string[]? header = null;
        foreach (var record in CsvRecords.Read(reader, shownPath))
        {
            if (header is null)
            {
                header = record.Fields.Select(f => f.Trim()).ToArray();
                var duplicate = header.GroupBy(h => h, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
                if (duplicate is not null)
                {
                    throw new PipelineException(DataDiagnosticCodes.MalformedRow, $"{shownPath}:{record.Line}: the header names column '{duplicate.Key}' twice.");
                }

                checker.UseColumns(header, record.Line);
                continue;
            }

            if (record.Fields.Count != header.Length)
            {
                checker.Bad(DataDiagnosticCodes.MalformedRow,
                    $"{shownPath}:{record.Line}: the row has {record.Fields.Count} fields but the header has {header.Length}; quote fields that contain commas.");
                continue;
            }

            var values = new Dictionary<string, string>(header.Length, StringComparer.Ordinal);
            for (var i = 0; i < header.Length; i++)
            {
                values[header[i]] = record.Fields[i];
            }

            checker.Check(record.Line, values);
        }

        if (header is null)
        {
            throw new PipelineException(DataDiagnosticCodes.EmptyPairFile, $"{shownPath}: the pair file is empty; it needs a header row.");
        }
    }

    private static void ReadJsonl(TextReader reader, string shownPath, RowChecker checker)
    {
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
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
                checker.Bad(DataDiagnosticCodes.MalformedRow, $"{shownPath}:{lineNumber}: invalid JSON: {error.Message}");
                continue;
            }

            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    checker.Bad(DataDiagnosticCodes.MalformedRow, $"{shownPath}:{lineNumber}: each line must be one JSON object.");
                    continue;
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
                }

                checker.UseColumns(values.Keys, lineNumber, fromRow: true);
                checker.Check(lineNumber, values);
            }
        }
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

    /// <summary>Checks rows as they are read, keeping the good ones and collecting every problem with its line.</summary>
    private sealed class RowChecker(IReadOnlyList<PreferenceDimension> dimensions, string folder, string path)
    {
        private readonly List<(string Code, string Message)> problems = new();
        private List<string>? columns;

        public List<CheckedRow> Rows { get; } = new();

        public Layout? Layout { get; private set; }

        /// <summary>
        /// The file's columns: a CSV's header (a required column it lacks is an error at the header's line), or, for
        /// JSONL, the union of the keys seen so far, in order of first appearance.
        /// </summary>
        public void UseColumns(IEnumerable<string> names, int line, bool fromRow = false)
        {
            columns ??= new List<string>();
            foreach (var name in names)
            {
                if (!columns.Contains(name, StringComparer.Ordinal))
                {
                    columns.Add(name);
                }
            }

            Layout = Layout.Of(columns, dimensions);
            if (!fromRow && Layout.Required.FirstOrDefault(c => !columns.Contains(c, StringComparer.Ordinal)) is { } missing)
            {
                throw new PipelineException(DataDiagnosticCodes.MissingColumn,
                    $"{path}:{line}: column '{missing}' is missing; a pair file needs {string.Join(", ", Layout.Required)}.");
            }
        }

        public void Bad(string code, string message) => problems.Add((code, message));

        public void ThrowIfBad()
        {
            if (problems.Count > 0)
            {
                throw Problems(problems, problems[0].Code, $"{problems.Count} rows of {path} are bad", "fix them and run again");
            }
        }

        public void Check(int line, Dictionary<string, string> values)
        {
            try
            {
                Rows.Add(CheckRow(line, values));
            }
            catch (PipelineException error)
            {
                Bad(error.Code, error.Message);
            }
        }

        private CheckedRow CheckRow(int line, Dictionary<string, string> values)
        {
            var layout = Layout!;
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

            var pathA = ResolveVideo(values[PathAColumn], PathAColumn, line);
            var pathB = ResolveVideo(values[PathBColumn], PathBColumn, line);
            var extras = layout.ExtraColumns.Where(values.ContainsKey).ToDictionary(c => c, c => values[c], StringComparer.Ordinal);
            Dictionary<PreferenceDimension, float>? targetsA = null, targetsB = null;
            if (layout.HasTargets)
            {
                targetsA = layout.Dimensions.ToDictionary(d => d, d => ParseTarget(values, $"MOS_A_{d}", line));
                targetsB = layout.Dimensions.ToDictionary(d => d, d => ParseTarget(values, $"MOS_B_{d}", line));
            }

            return new CheckedRow(line, prompt, pathA, pathB, labels, extras, targetsA, targetsB);
        }

        /// <summary>A MOS column's value: a number, or NaN when empty (the repository's default of absent scores).</summary>
        private float ParseTarget(Dictionary<string, string> values, string column, int line)
        {
            var text = values.TryGetValue(column, out var value) ? value.Trim() : "";
            if (text.Length == 0)
            {
                return float.NaN;
            }

            return float.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var number)
                ? number
                : throw new PipelineException(DataDiagnosticCodes.MalformedRow, $"{path}:{line}: column {column} holds '{value}', which is not a number.");
        }

        /// <summary>The video's full path; whether it exists is the loader's question (a missing video is a bad video).</summary>
        private string ResolveVideo(string relative, string column, int line)
        {
            if (string.IsNullOrWhiteSpace(relative))
            {
                throw new PipelineException(DataDiagnosticCodes.MalformedRow, $"{path}:{line}: column {column} is empty; it names a video file.");
            }

            try
            {
                return Path.GetFullPath(Path.Combine(folder, relative.Trim()));
            }
            catch (Exception error) when (error is ArgumentException or NotSupportedException or PathTooLongException)
            {
                throw new PipelineException(DataDiagnosticCodes.MalformedRow, $"{path}:{line}: column {column} holds '{relative}', which is not a file path ({error.Message}).");
            }
        }
    }
}
