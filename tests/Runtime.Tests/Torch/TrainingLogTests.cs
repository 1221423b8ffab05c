using System.Text;
using System.Text.Json;
using Pipeline.Runtime.Torch;
using Pipeline.Tests.Shared;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Tests.Torch;

/// <summary>
/// What a training stage leaves to follow it by (issue 27): every step in metrics.jsonl and in a TensorBoard event file
/// beside it, read back here by an independent reader of the TFRecord format (tests/Shared/EventFile.cs) whose CRC32C
/// is checked against the published check values; sample images as a whole event file; and start and end means over
/// windows that never share a step.
/// </summary>
public sealed class TrainingLogTests
{
    [Fact]
    public void The_reader_s_CRC32C_gives_the_published_check_values()
    {
        // The CRC catalogue's check value, and the iSCSI test vectors of RFC 3720, B.4.
        Assert.Equal(0xE3069283u, EventFile.Crc32C("123456789"u8));
        Assert.Equal(0x8A9136AAu, EventFile.Crc32C(new byte[32]));
        Assert.Equal(0x62A8AB43u, EventFile.Crc32C(Enumerable.Repeat((byte)0xFF, 32).ToArray()));
        Assert.Equal(0x46DD794Eu, EventFile.Crc32C(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()));

        // TFRecord's mask of 0xE3069283, by hand: rotated right by 15 bits is 0x25C7C60D, plus 0xA282EAD8 is 0xC78AB0E5 (mod 2^32).
        Assert.Equal(0xC78AB0E5u, EventFile.MaskedCrc32C("123456789"u8));
        Assert.Equal(0xC78AB0E5u, EventFileWriter.MaskedCrc(Encoding.ASCII.GetBytes("123456789")));
    }

    [Fact]
    public void A_trainer_writes_every_step_to_metrics_jsonl_and_to_a_TensorBoard_event_file()
    {
        using var folder = new TempFolder();
        var losses = new[] { 2.5, 2.25, 2.0, 1.75, 1.5, 1.25, 1.0, 0.75, 0.5, 0.25, 0.125, 0.0625 };
        var started = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using (var log = new StageMetricsLog(folder.File("gen/metrics.jsonl")))
        {
            using var trainer = Train(losses, log, learningRate: 0.001);
        }

        var lines = File.ReadAllLines(folder.File("gen/metrics.jsonl"));
        Assert.Equal(losses.Length, lines.Length);
        Assert.Equal("{\"step\":3,\"loss\":1.75,\"learning_rate\":0.001}", lines[3]);

        var file = Assert.Single(Directory.GetFiles(folder.File("gen"), "events.out.tfevents.*"));
        var events = EventFile.Read(file);
        Assert.Equal("brain.Event:2", events[0].FileVersion);
        Assert.Equal(losses.Length + 1, events.Count);
        foreach (var e in events)
        {
            // Seconds since 1970, which TensorBoard reads as the time of each point (not .NET ticks).
            Assert.InRange(e.WallTime, started - 5, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 5);
        }

        for (var step = 0; step < losses.Length; step++)
        {
            var e = events[step + 1];
            Assert.Equal(step, e.Step);
            Assert.Equal(["loss", "learning_rate"], e.Values.Select(v => v.Tag));
            Assert.Equal((float)losses[step], e.Values[0].Scalar);
            Assert.Equal(0.001f, e.Values[1].Scalar);
        }
    }

    [Fact]
    public void A_killed_writer_leaves_every_whole_record_readable()
    {
        using var folder = new TempFolder();
        using (var log = new StageMetricsLog(folder.File("stage/metrics.jsonl")))
        {
            log.Write(0, new Dictionary<string, double> { ["loss"] = 1 });
            log.Write(1, new Dictionary<string, double> { ["loss"] = 0.5 });
        }

        var bytes = File.ReadAllBytes(Assert.Single(Directory.GetFiles(folder.File("stage"), "events.out.tfevents.*")));
        Assert.Equal(3, EventFile.ReadPrefix(bytes, out var torn).Count);
        Assert.Equal(0, torn);

        // Cut inside the last record's data CRC, and inside its header: the records before it stay readable.
        var last = 0;
        for (var offset = 0; offset < bytes.Length; offset += 16 + (int)BitConverter.ToUInt64(bytes, offset))
        {
            last = offset;
        }

        foreach (var kept in new[] { bytes.Length - 3, last + 5 })
        {
            var prefix = EventFile.ReadPrefix(bytes[..kept], out var left);
            Assert.Equal(2, prefix.Count);
            Assert.Equal(0L, prefix[1].Step);
            Assert.Equal(kept - last, left);
        }
    }

    [Fact]
    public void Images_go_to_a_whole_event_file_that_replaces_the_folder_s_earlier_ones()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.File("report"));
        File.WriteAllBytes(folder.File("report/events.out.tfevents.1.old"), [1, 2, 3]);
        var gif = Encoding.ASCII.GetBytes("GIF89a-not-decoded-here");

        var path = EventFileWriter.WriteImages(folder.File("report"), [new EventImage("samples/sft/0", 64, 32, gif), new EventImage("samples/base/0", 64, 32, [9])]);

        Assert.Equal([path], Directory.GetFiles(folder.File("report")));
        var events = EventFile.Read(path);
        Assert.Equal("brain.Event:2", events[0].FileVersion);
        var first = Assert.Single(events[1].Values);
        Assert.Equal(("samples/sft/0", 64, 32), (first.Tag, first.ImageWidth, first.ImageHeight));
        Assert.Equal(gif, first.Image);
        Assert.Equal("samples/base/0", Assert.Single(events[2].Values).Tag);
    }

    /// <summary>Ten steps used to report the same mean at the start and at the end: both windows were the ten steps.</summary>
    [Fact]
    public void Short_runs_reported_the_same_loss_at_start_and_end()
    {
        // Loss record (10-step windows): 10 steps give windows of 5, 30 steps the full 10; one step is too short.
        using var ten = Train([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], log: null);
        Assert.Equal(3.0, ten.MeanLoss(atStart: true)); // (1 + 2 + 3 + 4 + 5) / 5
        Assert.Equal(8.0, ten.MeanLoss(atStart: false)); // (6 + … + 10) / 5
        using var thirty = Train(Enumerable.Range(1, 30).Select(i => (double)i).ToArray(), log: null);
        Assert.Equal(5.5, thirty.MeanLoss(atStart: true));
        Assert.Equal(25.5, thirty.MeanLoss(atStart: false));
        using var three = Train([1, 2, 4], log: null);
        Assert.Equal((1.0, 4.0), (three.MeanLoss(atStart: true), three.MeanLoss(atStart: false)));
        using var one = Train([1], log: null);
        Assert.Null(one.MeanLoss(atStart: true));
        Assert.Null(one.MeanLoss(atStart: false));
        Assert.Equal("too short to tell (1 step)", one.Change());
        Assert.Equal("1 → 4", three.Change());

        // An explicit window still means "at most every step" (RWR's mean over the whole run).
        Assert.Equal(5.5, ten.Mean("loss", atStart: false, window: 10));
    }

    /// <summary>Trains a one-parameter network whose step loss is the given number (its gradient is zero).</summary>
    private static Trainer Train(double[] losses, StageMetricsLog? log, double learningRate = 1e-3)
    {
        var network = nn.Linear(1, 1);
        var trainer = new Trainer(network, learningRate, "test", log);
        trainer.Run(losses.Length, step => (network.weight! * 0).sum() + losses[step]);
        return trainer;
    }
}
