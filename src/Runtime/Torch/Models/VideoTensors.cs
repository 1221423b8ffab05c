using Pipeline.Runtime.Core;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Torch.Models;

/// <summary>Video sets as tensors.</summary>
public static class VideoTensors
{
    /// <summary>[N, C, T, H, W] with pixels mapped from [0, 1] to [-1, 1].</summary>
    public static Tensor Signed(VideoSet videos, Device device) =>
        tensor(videos.ToSignedBuffer(), new long[] { videos.Count, videos.Shape.Channels, videos.Shape.Frames, videos.Shape.Height, videos.Shape.Width }, device: device);
}
