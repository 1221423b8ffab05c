namespace Pipeline.Runtime.Core;

/// <summary>
/// The PIPE41xx codes of the data layer (pair files, video files, splits). Codes are stable and never reused.
/// Every error names the file and, where there is one, the line.
/// </summary>
public static class DataDiagnosticCodes
{
    /// <summary>The pair file does not exist.</summary>
    public const string PairFileNotFound = "PIPE4101";

    /// <summary>The pair file's header (or a JSONL object) lacks a required column.</summary>
    public const string MissingColumn = "PIPE4102";

    /// <summary>A row cannot be parsed: wrong number of fields, an unterminated quote, invalid JSON.</summary>
    public const string MalformedRow = "PIPE4103";

    /// <summary>A label is not A, B or same.</summary>
    public const string UnknownLabel = "PIPE4104";

    /// <summary>A video file a row names does not exist.</summary>
    public const string VideoFileMissing = "PIPE4105";

    /// <summary>A video file exists but cannot be decoded.</summary>
    public const string VideoDecodeFailed = "PIPE4106";

    /// <summary>ffmpeg or ffprobe is not installed (Debian package <c>ffmpeg</c>).</summary>
    public const string FfmpegNotFound = "PIPE4107";

    /// <summary>A video file has an extension the loader does not read.</summary>
    public const string UnsupportedVideoFormat = "PIPE4108";

    /// <summary>The pair file holds no rows.</summary>
    public const string EmptyPairFile = "PIPE4109";

    /// <summary>Split fractions are not in [0, 1] or do not sum to 1.</summary>
    public const string InvalidSplit = "PIPE4110";

    /// <summary>Several videos of a pair file cannot be read (each with its reason; one alone keeps its own code).</summary>
    public const string BadVideos = "PIPE4111";

    /// <summary>The decoded-video store's pixels do not match their checksums (it is removed and rebuilt by the next run).</summary>
    public const string VideoStoreDamaged = "PIPE4112";

    /// <summary>Every code above.</summary>
    public static IReadOnlyList<string> All { get; } = typeof(DataDiagnosticCodes)
        .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
        .Where(f => f.IsLiteral)
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToArray();
}
