using Pipeline.Catalog;
using Pipeline.Runtime.Core;
using TorchSharp;

namespace Pipeline.Runtime.Torch.Backend;

/// <summary>The experiment's <c>device</c> setting: <c>auto | cpu | cuda | cuda:N</c>.</summary>
public sealed record DeviceSpec(string Text)
{
    public static DeviceSpec Auto { get; } = new("auto");

    public static DeviceSpec Cpu { get; } = new("cpu");

    /// <summary>Accepts what <see cref="Devices.IsValid"/> does, the rule the compiler checks files with.</summary>
    public static bool TryParse(string text, out DeviceSpec spec)
    {
        spec = new DeviceSpec(text);
        return Devices.IsValid(text);
    }

    /// <summary>The torch device to run on; auto picks the first CUDA device when there is one.</summary>
    public torch.Device Resolve()
    {
        TorchBackend.EnsureInitialized();
        var cudaCount = torch.cuda.is_available() ? torch.cuda.device_count() : 0;
        switch (Text)
        {
            case "auto":
                return cudaCount > 0 ? torch.CUDA : torch.CPU;
            case "cpu":
                return torch.CPU;
        }

        var index = Text == "cuda" ? 0 : int.Parse(Text.AsSpan(5), System.Globalization.CultureInfo.InvariantCulture);
        if (index >= cudaCount)
        {
            throw RuntimeErrors.DeviceUnavailable(Text, cudaCount);
        }

        return new torch.Device(DeviceType.CUDA, index);
    }

    public override string ToString() => Text;
}
