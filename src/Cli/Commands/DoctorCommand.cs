using System.CommandLine;
using Pipeline.Runtime.Torch.Backend;

namespace Pipeline.Cli.Commands;

/// <summary>
/// <c>pipeline doctor</c>: which .NET, TorchSharp and libtorch this machine runs, and from where; torch's threads and
/// how their OpenMP waiters wait (<see cref="OpenMpSettings"/>).
/// </summary>
internal static class DoctorCommand
{
    public static Command Create()
    {
        var command = new Command("doctor", "Report the .NET, TorchSharp and libtorch versions, where libtorch was loaded from, CUDA devices and threads.");
        command.SetAction(_ =>
        {
            var info = TorchBackend.EnsureInitialized();
            Console.WriteLine($".NET              {info.DotnetVersion}");
            Console.WriteLine($"TorchSharp        {info.TorchSharpVersion}");
            Console.WriteLine($"libtorch          {info.LibtorchVersion}");
            Console.WriteLine($"libtorch folder   {info.LibtorchFolder}{(info.BringYourOwnLibtorch ? " (bring your own)" : " (bundled)")}");
            Console.WriteLine($"LibTorchSharp     {info.LibTorchSharpPath}");
            Console.WriteLine($"libstdc++ compat  {(info.CompatibilityApplied ? "applied (system libstdc++ lacks " + LibStdCxxCompatibility.RequiredVersion + ")" : "not needed")}");
            Console.WriteLine($"CUDA devices      {(info.CudaDevices.Count == 0 ? "none" : string.Join(", ", info.CudaDevices))}");
            Console.WriteLine($"device = auto     {(info.CudaDevices.Count == 0 ? "cpu (libtorch sees no CUDA device)" : info.CudaDevices[0])}");
            Console.WriteLine($"threads           {info.Threads} (torch's intra-op threads; {Environment.ProcessorCount} cores available)");
            Console.WriteLine($"OpenMP waits      {OpenMpSettings.Describe()}");
            Console.WriteLine("backend           ok");
            return 0;
        });
        return command;
    }
}
