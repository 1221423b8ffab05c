using System.Text.Json;
using Pipeline.Runtime.Execution;
using Pipeline.Runtime.Execution.Reporting;
using Pipeline.Runtime.Kinds;

namespace Pipeline.Runtime.Tests.Reporting;

public sealed class ResultsWriterTests
{
    [Fact]
    public void Results_json_has_the_contract_shape_with_sorted_keys()
    {
        var info = new ExperimentInfo("mini", new string('a', 64), "experiment mini {}\n", "0.1.0.0", "0.1.0.0", 7, "auto",
            [new StageInfo("vr", "video_reward", new string('b', 64), [], "mini.pipe:3:3")]);
        var folder = Path.Combine(Path.GetTempPath(), "results-writer-" + Guid.NewGuid().ToString("N"));
        var context = new RunContext(info, folder, folder, _ => { });
        var output = new StageOutput("vr", "video_reward", new object()) { Seconds = 1.5 };
        output.Metrics["loss"] = 0.25;
        output.Metrics["epochs"] = 2L;
        output.Metrics["diverged"] = double.NaN;
        output.Metrics["per_dimension"] = new Dictionary<string, double> { ["TA"] = 0.7, ["MQ"] = 0.6 };
        context.ResultSections["reward_accuracy"] = new SortedDictionary<string, object?> { ["vr"] = new Dictionary<string, object> { ["VQ"] = new Dictionary<string, double> { ["with_ties"] = 0.61 } } };
        try
        {
            var path = ResultsWriter.Write(folder, new RunResult(info, new Dictionary<string, StageOutput> { ["vr"] = output }), context, "cpu");
            var text = File.ReadAllText(path);
            using var json = JsonDocument.Parse(text);
            var root = json.RootElement;
            Assert.Equal(["experiment", "source_sha256", "seed", "device", "runtime_version", "stages", "reward_accuracy"], root.EnumerateObject().Select(p => p.Name));
            Assert.Equal("cpu", root.GetProperty("device").GetString());
            var stage = root.GetProperty("stages").GetProperty("vr");
            Assert.Equal(new string('b', 64), stage.GetProperty("hash").GetString());
            Assert.Equal(JsonValueKind.Null, stage.GetProperty("resumed_from_step").ValueKind);
            Assert.False(stage.GetProperty("cached").GetBoolean());
            Assert.Equal(1.5, stage.GetProperty("seconds").GetDouble());
            var metrics = stage.GetProperty("metrics");
            Assert.Equal(["diverged", "epochs", "loss", "per_dimension"], metrics.EnumerateObject().Select(p => p.Name));
            Assert.Equal(JsonValueKind.Null, metrics.GetProperty("diverged").ValueKind);
            Assert.Equal(["MQ", "TA"], metrics.GetProperty("per_dimension").EnumerateObject().Select(p => p.Name));
            Assert.Equal(0.61, root.GetProperty("reward_accuracy").GetProperty("vr").GetProperty("VQ").GetProperty("with_ties").GetDouble());
            Assert.Empty(Directory.GetFiles(folder, "*.tmp"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
