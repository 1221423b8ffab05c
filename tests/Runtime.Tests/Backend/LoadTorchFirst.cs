using System.Runtime.CompilerServices;
using Pipeline.Runtime.Torch.Backend;

namespace Pipeline.Runtime.Tests.Backend;

/// <summary>
/// Loads libtorch when this test assembly loads, before any test runs. TorchSharp's <c>torch</c> type loads its
/// natives in its static constructor; touched before <see cref="TorchBackend"/> has loaded the libstdc++-patched
/// libLibTorchSharp.so (Debian 12), that constructor fails and stays failed for the whole process. xUnit runs test
/// classes in an order of its own, so a constructor per class was not enough: one test that passed
/// <c>torch.CPU</c> as an argument ran first in a CI run and failed 57 tests.
/// </summary>
internal static class LoadTorchFirst
{
#pragma warning disable CA2255 // A test assembly is the application here; this is the documented use of a module initializer.
    [ModuleInitializer]
    internal static void Load() => TorchBackend.EnsureInitialized();
#pragma warning restore CA2255
}
