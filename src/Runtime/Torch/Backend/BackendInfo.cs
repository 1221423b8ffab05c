namespace Pipeline.Runtime.Torch.Backend;

/// <summary>What <c>pipeline doctor</c> reports: which torch this process runs on, and how it got loaded.</summary>
public sealed record BackendInfo(
    string DotnetVersion,
    string TorchSharpVersion,
    string LibtorchVersion,
    string LibtorchFolder, // where libtorch_cpu.so was actually mapped from
    string LibTorchSharpPath,
    bool CompatibilityApplied,
    bool BringYourOwnLibtorch,
    IReadOnlyList<string> CudaDevices,
    int Threads);
