using System.Globalization;

namespace Pipeline.Catalog;

/// <summary>
/// The values of an experiment's <c>device</c>: <c>auto</c>, <c>cpu</c>, <c>cuda</c> or <c>"cuda:N"</c>. One rule for
/// the compiler, which checks the file (so <c>check</c> rejects what <c>run</c> would), and the runtime, which picks the device.
/// </summary>
public static class Devices
{
    public const string Auto = "auto";
    public const string Cpu = "cpu";
    public const string Cuda = "cuda";
    private const string CudaPrefix = "cuda:";

    public static bool IsValid(string text) =>
        text is Auto or Cpu or Cuda || CudaIndex(text) is not null;

    /// <summary>N of <c>cuda:N</c> (digits only, no sign or spaces), else null.</summary>
    public static int? CudaIndex(string text) =>
        text.StartsWith(CudaPrefix, StringComparison.Ordinal)
            && int.TryParse(text.AsSpan(CudaPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            ? index
            : null;
}
