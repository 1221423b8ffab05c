using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Torch;

/// <summary>
/// A seeded stream of random tensors on one device; every random draw of the runtime goes through this type (a test
/// reads src/Runtime with Roslyn and fails on any other torch draw).
/// <para>
/// Why a type of our own: TorchSharp 0.107's <see cref="Generator"/> is a CPU generator whatever device it is given,
/// so a draw with <c>generator: g, device: cuda</c> fails ("Expected a 'cuda' device type for generator but found
/// 'cpu'"), and TorchSharp offers no CUDA generator object and no way to read or set the CUDA random state, only
/// <c>torch.cuda.manual_seed_all</c>. Drawing on the CPU and copying each step costs 0.3–0.5 of a training step on
/// an H200 (shared/notes/gpu.md). So:
/// </para>
/// <list type="bullet">
/// <item>on the CPU a stream owns a CPU <see cref="Generator"/> seeded with its seed and draws with it (and no device
/// argument): the numbers every earlier CPU run drew;</item>
/// <item>on CUDA it owns a counter: before each draw it reseeds the device's default generator from (seed, counter),
/// then draws on the device. Its whole state is the counter, which is what a checkpoint saves, so a resumed run
/// draws what an uninterrupted one would.</item>
/// </list>
/// <para>
/// <see cref="CheckingAsCuda"/> makes streams on the CPU take the CUDA path (reseeding torch's CPU default generator
/// instead of the device's), and fail on any draw that would pair a <see cref="Generator"/> object with that
/// pretended CUDA device: the CPU-only test suite runs whole experiments through the code a GPU runs.
/// </para>
/// </summary>
public sealed class RandomStream : IDisposable
{
    /// <summary>Environment variable that turns on <see cref="CheckingAsCuda"/> for a process (value <c>cuda</c>).</summary>
    public const string CheckVariable = "PIPELINE_RANDOM_CHECK";

    private readonly long seed;
    private readonly Generator? generator;
    private long draws;

    private RandomStream(long seed, Device device)
    {
        this.seed = seed;
        Device = device;
        DrawsOnDevice = device.type != DeviceType.CPU || CheckingAsCuda;
        generator = DrawsOnDevice ? null : new Generator(unchecked((ulong)seed));
    }

    /// <summary>
    /// Whether CPU streams act as CUDA streams (counter-based reseeding, no <see cref="Generator"/> objects), checking
    /// every draw. Set from <see cref="CheckVariable"/> at start; tests set it directly.
    /// </summary>
    public static bool CheckingAsCuda { get; set; } =
        string.Equals(Environment.GetEnvironmentVariable(CheckVariable), "cuda", StringComparison.OrdinalIgnoreCase);

    /// <summary>The device the stream's tensors are made on.</summary>
    public Device Device { get; }

    /// <summary>True on CUDA (and under <see cref="CheckingAsCuda"/>): draws reseed the device generator from (seed, counter).</summary>
    public bool DrawsOnDevice { get; }

    /// <summary>A stream with exactly this seed: on the CPU, the numbers of <c>new Generator(seed)</c>.</summary>
    public static RandomStream Create(long seed, Device device) => new(seed, device);

    /// <summary>
    /// A seed derived from (seed, index) by SplitMix64's finaliser: nearby indices give unrelated streams (one per
    /// generated sample, one per reseeded CUDA draw). Non-negative, as torch wants.
    /// </summary>
    public static long Derive(long seed, long index)
    {
        unchecked
        {
            var z = ((ulong)seed * 0x9E3779B97F4A7C15UL) ^ ((ulong)index + 0x632BE59BD9B4E019UL);
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return (long)((z ^ (z >> 31)) & 0x7fffffffffffffffUL);
        }
    }

    /// <summary>
    /// Seeds torch's default generators (the CPU one, and CUDA's where there is one) for the parameter initialisation of
    /// modules built after it: modules are built on the CPU and then moved, so the initial weights are the same on
    /// every device.
    /// </summary>
    public static void SeedInitialisation(long seed) => manual_seed(seed);

    /// <summary>The state of torch's CPU default generator, for checkpoints.</summary>
    public static Tensor DefaultState() => random.get_rng_state();

    /// <summary>Restores torch's CPU default generator from <see cref="DefaultState"/>.</summary>
    public static void RestoreDefaultState(Tensor state) => random.set_rng_state(state);

    /// <summary>Uniform numbers in [0, 1).</summary>
    public Tensor Rand(params long[] shape) => Draw(g => g is null ? rand(shape, device: Device) : rand(shape, generator: g));

    /// <summary>Standard normal numbers.</summary>
    public Tensor Randn(params long[] shape) => Draw(g => g is null ? randn(shape, device: Device) : randn(shape, generator: g));

    /// <summary>Integers uniform in [0, <paramref name="high"/>), int64.</summary>
    public Tensor Randint(long high, params long[] shape) => Draw(g => g is null ? randint(high, shape, device: Device) : randint(high, shape, generator: g));

    /// <summary>A random permutation of 0 … n − 1, int64.</summary>
    public Tensor Randperm(long n) => Draw(g => g is null ? randperm(n, device: Device) : randperm(n, generator: g));

    /// <summary>Writes the stream's state: the CPU generator's bytes, or the draw counter on a device.</summary>
    public void WriteState(BinaryWriter writer)
    {
        writer.Write(DrawsOnDevice);
        if (generator is null)
        {
            writer.Write(draws);
            return;
        }

        using var state = generator.get_state();
        var bytes = state.data<byte>().ToArray();
        writer.Write(bytes.Length);
        writer.Write(bytes);
    }

    /// <summary>Restores a state written by <see cref="WriteState"/>; a state from the other kind of stream is refused.</summary>
    public void ReadState(BinaryReader reader)
    {
        if (reader.ReadBoolean() != DrawsOnDevice)
        {
            throw new InvalidDataException(DrawsOnDevice
                ? "the random state was saved by a CPU run; this run draws on a CUDA device"
                : "the random state was saved by a CUDA run; this run draws on the CPU");
        }

        if (generator is null)
        {
            draws = reader.ReadInt64();
            return;
        }

        using var state = torch.tensor(reader.ReadBytes(reader.ReadInt32()), dtype: ScalarType.Byte);
        generator.set_state(state);
    }

    public void Dispose() => generator?.Dispose();

    /// <summary>
    /// The one place a draw happens. On the CPU it hands the draw the stream's generator; on a device it reseeds the
    /// device's default generator from (seed, counter) and hands it none.
    /// </summary>
    private Tensor Draw(Func<Generator?, Tensor> draw)
    {
        if (generator is not null)
        {
            return draw(generator);
        }

        var drawSeed = Derive(seed, draws++);
        if (Device.type == DeviceType.CUDA)
        {
            cuda.manual_seed_all(drawSeed);
        }
        else
        {
            // CheckingAsCuda on the CPU: the CPU default generator stands in for the device's.
            random.manual_seed(drawSeed);
        }

        var result = draw(null);
        if (CheckingAsCuda && result.device_type != Device.type)
        {
            result.Dispose();
            throw new InvalidOperationException($"a random draw for {Device} landed on {result.device}");
        }

        return result;
    }
}
