using Pipeline.Runtime.Core;
using Pipeline.Runtime.Torch.Backend;

namespace Pipeline.Runtime.Tests.Backend;

public sealed class DeviceSpecTests
{
    [Theory]
    [InlineData("auto", true)]
    [InlineData("cpu", true)]
    [InlineData("cuda", true)]
    [InlineData("cuda:0", true)]
    [InlineData("cuda:12", true)]
    [InlineData("cuda:", false)]
    [InlineData("cuda:-1", false)]
    [InlineData("gpu", false)]
    [InlineData("CPU", false)]
    public void Device_settings_parse_as_the_language_allows(string text, bool valid)
    {
        Assert.Equal(valid, DeviceSpec.TryParse(text, out _));
    }

    [Fact]
    public void A_test_may_touch_torch_before_any_device_is_resolved()
    {
        // LoadTorchFirst loads the backend when this assembly loads; without it, run alone, this failed with
        // "The type initializer for 'TorchSharp.torch' threw an exception" on Debian 12.
        Assert.Equal(TorchSharp.DeviceType.CPU, TorchSharp.torch.CPU.type);
    }

    [Fact]
    public void Auto_and_cpu_resolve_to_the_cpu_on_a_machine_without_cuda()
    {
        Assert.Equal(TorchSharp.DeviceType.CPU, DeviceSpec.Auto.Resolve().type);
        Assert.Equal(TorchSharp.DeviceType.CPU, DeviceSpec.Cpu.Resolve().type);
    }

    [Fact]
    public void Asking_for_a_cuda_device_that_is_not_there_is_a_clear_error()
    {
        DeviceSpec.TryParse("cuda:3", out var spec);
        var error = Assert.Throws<PipelineException>(() => spec.Resolve());
        Assert.Equal(RuntimeDiagnosticCodes.DeviceUnavailable, error.Code);
        Assert.Contains("cuda:3", error.Message);
    }
}
