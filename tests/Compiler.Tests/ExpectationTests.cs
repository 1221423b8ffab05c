using Pipeline.Catalog.Expectations;
using Pipeline.Compiler.Diagnostics;
using Pipeline.Compiler.Lowering;
using Pipeline.Dsl.Diagnostics;

namespace Pipeline.Compiler.Tests;

/// <summary>
/// <c>replicates</c> and <c>expect</c> in the compiler: each check's diagnostic at file:line:col with its exact message,
/// the bound expectations, stage hashes that ignore both, the replicates' compilations, and the emitted ExperimentInfo.
/// </summary>
public sealed class ExpectationTests
{
    /// <summary><see cref="Sources.Mini"/> with members added after <c>seed = 7</c> (line 2), so the first is on line 3.</summary>
    private static string Mini(params string[] members) =>
        Sources.Mutate(Sources.Mini, "seed = 7", "seed = 7\n  " + string.Join("\n  ", members));

    private static string[] Printed(Compilation compilation, string code) =>
        compilation.Diagnostics.Where(d => d.Code == code).Select(d => DiagnosticFormatter.Format(d, compilation.Sources[d.Path!])).ToArray();

    // (members after seed = 7, --set overrides, the code, the whole printed diagnostic). Mini's win_rates stage compares
    // base, dpo, rwr and nrg, judged by vr and world.oracle. Columns counted by hand on "  expect dpx.win_rate(oracle).TA > 0.5".
    private static readonly (string[] Members, string[] Sets, string Code, string Printed)[] Cases =
    [
        (["expect dpx.win_rate(oracle).TA > 0.5"], [], CompilerDiagnostics.ExpectationUnknownStageCode,
            "test.pipe:3:10: error PIPE1050: No stage is named 'dpx'; an expectation names a method of a win_rates stage (did you mean 'dpo'?)."),
        (["expect qqq.win_rate(oracle).TA > 0.5"], [], CompilerDiagnostics.ExpectationUnknownStageCode,
            "test.pipe:3:10: error PIPE1050: No stage is named 'qqq'; an expectation names a method of a win_rates stage: base, dpo, nrg, rwr."),
        (["expect dpo.accuracy(oracle).TA > 0.5"], [], CompilerDiagnostics.UnknownMetricCode,
            "test.pipe:3:14: error PIPE1051: 'accuracy' is not a metric an expectation can compare; write win_rate(JUDGE)."),
        (["expect dpo.winrate(oracle).TA > 0.5"], [], CompilerDiagnostics.UnknownMetricCode,
            "test.pipe:3:14: error PIPE1051: 'winrate' is not a metric an expectation can compare; write win_rate(JUDGE) (did you mean 'win_rate'?)."),
        (["expect ae.win_rate(oracle).TA > 0.5"], [], CompilerDiagnostics.NotEvaluatedCode,
            "test.pipe:3:10: error PIPE1052: No win_rates stage compares 'ae'; add it to the methods of one, or name a method that is compared: base, dpo, nrg, rwr."),
        (["expect dpo.win_rate(orcale).TA > 0.5"], [], CompilerDiagnostics.UnknownJudgeCode,
            "test.pipe:3:23: error PIPE1053: 'orcale' does not judge 'dpo' in any win_rates stage; name one of its judges (did you mean 'oracle'?), or add 'orcale' to the judges of a win_rates stage that compares 'dpo'."),
        (["expect dpo.win_rate(oracle).TA > 0.5", "expect dpo.win_rate(oracle).TA > 0.50"], [], CompilerDiagnostics.DuplicateExpectationCode,
            "test.pipe:4:3: warning PIPE1055: The expectation 'dpo.win_rate(oracle).TA > 0.5' is declared twice; remove the repeat."),
        ([], ["seed=2147483000", "replicates=1000"], CompilerDiagnostics.ReplicateSeedOutOfRangeCode,
            "--set replicates:1:1: error PIPE2040: With seed = 2147483000, replicate 1000 would run on seed 2147483999, beyond the largest seed 2147483647; lower the seed or the replicates."),
        ([], ["replicates=0"], CompilerDiagnostics.IntegerOutOfRangeCode,
            "--set replicates:1:1: error PIPE2002: The value 0 is out of range; write an integer in [1, 1000]."),
        (["expect dpo.win_rate(oracle).XX > 0.5"], [], CompilerDiagnostics.UnknownDimensionCode,
            "test.pipe:3:31: error PIPE2041: 'XX' is not a dimension a win rate is measured on; write one of VQ, MQ, TA, Overall."),
        (["expect dpo.win_rate(oracle).TA > 1"], [], CompilerDiagnostics.ThresholdNeverHoldsCode,
            "test.pipe:3:36: error PIPE2043: A win rate lies in [0, 1], so 'dpo.win_rate(oracle).TA > 1' can never hold; compare with a number the rate can pass."),
        (["expect dpo.win_rate(oracle).TA < 0.0"], [], CompilerDiagnostics.ThresholdNeverHoldsCode,
            "test.pipe:3:36: error PIPE2043: A win rate lies in [0, 1], so 'dpo.win_rate(oracle).TA < 0.0' can never hold; compare with a number the rate can pass."),
        (["expect dpo.win_rate(vr).TA > dpo.win_rate(vr).TA"], [], CompilerDiagnostics.ComparesWithItselfCode,
            "test.pipe:3:32: error PIPE2044: The expectation compares dpo.win_rate(vr).TA with itself, so it can never hold; compare it with another metric or a number."),
    ];

    public static TheoryData<int> CaseIndices() => new(Enumerable.Range(0, Cases.Length));

    [Theory]
    [MemberData(nameof(CaseIndices))]
    public void A_bad_expectation_or_replicate_count_is_reported_where_it_was_written(int index)
    {
        var (members, sets, code, printed) = Cases[index];
        var compilation = Sources.Compile(Mini(members), sets);
        Assert.Equal([printed], Printed(compilation, code));
    }

    [Fact]
    public void A_dimension_the_judge_does_not_score_is_reported()
    {
        // vr is trained on pairs labelled VQ and MQ only (the guidance's TA weight is then PIPE2009 too).
        var text = Sources.Mutate(Mini("expect dpo.win_rate(vr).TA > 0.5"), "dimensions = [VQ, MQ, TA]", "dimensions = [VQ, MQ]");
        Assert.Equal(
            ["test.pipe:3:27: error PIPE2042: The judge 'vr' scores VQ, MQ, Overall, not TA; name one of those dimensions or a judge that scores TA."],
            Printed(Sources.Compile(text), CompilerDiagnostics.DimensionNotJudgedCode));
        Assert.Empty(Sources.Compile(Sources.Mutate(Mini("expect dpo.win_rate(oracle).TA > 0.5"), "dimensions = [VQ, MQ, TA]", "dimensions = [VQ, MQ]")).Diagnostics
            .Where(d => d.Code == CompilerDiagnostics.DimensionNotJudgedCode));
    }

    [Fact]
    public void A_win_rate_two_win_rates_stages_measure_is_ambiguous()
    {
        var text = Sources.Mutate(
            Mini("expect dpo.win_rate(oracle).TA > 0.5", "expect dpo.win_rate(vr).TA > 0.5"),
            "  evaluate report = win_rates {",
            "  evaluate again = win_rates { prompts = world.eval_prompts, methods = [dpo], baseline = rwr, judges = [world.oracle] }\n\n  evaluate report = win_rates {");
        Assert.Equal(
            ["test.pipe:3:10: error PIPE1054: The win_rates stages 'again' and 'report' both compare 'dpo' under 'oracle', and results.json keeps one win rate per method and judge; compare 'dpo' under 'oracle' in one of them only."],
            Printed(Sources.Compile(text), CompilerDiagnostics.AmbiguousWinRateCode));
    }

    [Fact]
    public void Expectations_bind_in_canonical_order_with_their_metrics()
    {
        var compilation = Sources.Compile(Mini("replicates = 3", "expect nrg.win_rate(oracle).TA > dpo.win_rate(oracle).TA", "expect dpo.win_rate(vr).Overall < 5e-1"));
        Assert.Empty(compilation.Diagnostics);
        var model = compilation.SemanticModel;
        Assert.Equal(3, model.Replicates);
        Assert.Equal([7, 8, 9], model.ReplicateSeeds.ToArray());
        Assert.Equal(
            [
                new Expectation("dpo.win_rate(vr).Overall < 0.5", new MetricReference("dpo", "win_rate", "vr", "Overall"), Comparison.Less, null, 0.5),
                new Expectation("nrg.win_rate(oracle).TA > dpo.win_rate(oracle).TA", new MetricReference("nrg", "win_rate", "oracle", "TA"), Comparison.Greater, new MetricReference("dpo", "win_rate", "oracle", "TA"), null),
            ],
            model.Expectations.Select(e => e.Expectation));
        Assert.Equal(4, compilation.Sources["test.pipe"].GetLineColumn(model.Expectations[1].Span.Start).Line);
    }

    [Fact]
    public void Replicates_and_expectations_change_the_source_hash_but_no_stage_hash()
    {
        var plain = Sources.Compile(Sources.Mini);
        var evidence = Sources.Compile(Mini("replicates = 10", "expect dpo.win_rate(oracle).TA > 0.5"));
        Assert.Empty(evidence.Diagnostics);
        Assert.NotEqual(plain.SourceSha256, evidence.SourceSha256);
        Assert.Equal(plain.SemanticModel.Stages.Select(s => (s.Name, s.Hash)), evidence.SemanticModel.Stages.Select(s => (s.Name, s.Hash)));
        Assert.Empty(ExperimentDiff.Invalidated(plain.SemanticModel, evidence.SemanticModel));
        Assert.Equal([new ResolvedChange("replicates", "1", "10")], ExperimentDiff.Values(plain.SemanticModel, evidence.SemanticModel).ToArray());
    }

    [Fact]
    public void Each_replicate_compiles_as_a_run_with_its_seed()
    {
        var compilation = Sources.Compile(Mini("replicates = 3", "expect dpo.win_rate(oracle).TA > 0.5"));
        for (var k = 0; k < 3; k++)
        {
            var replicate = compilation.WithReplicate(k);
            var single = Sources.Compile(Sources.Mini, $"seed={7 + k}");
            Assert.Empty(replicate.Diagnostics);
            Assert.Equal(7 + k, replicate.SemanticModel.Seed);
            Assert.Equal(1, replicate.SemanticModel.Replicates);
            Assert.Equal(single.SemanticModel.Stages.Select(s => s.Hash), replicate.SemanticModel.Stages.Select(s => s.Hash));
            Assert.Single(replicate.SemanticModel.Expectations);
        }

        Assert.Equal(Sources.Compile(Sources.Mini).SemanticModel.Stages.Select(s => s.Hash), compilation.WithReplicate(0).SemanticModel.Stages.Select(s => s.Hash));
        Assert.Throws<ArgumentOutOfRangeException>(() => compilation.WithReplicate(3));
    }

    [Fact]
    public void The_assembly_carries_replicates_and_expectations_in_experiment_info()
    {
        using var temp = new TempDirectory();
        var smoke = Path.Combine(TestEnvironment.ExamplesDirectory, "videoalign-smoke.pipe");
        var file = temp.Combine("evidence.pipe");
        File.WriteAllText(file, $"experiment evidence extends {Dsl.Formatting.SyntaxFormatter.Quote(smoke)} {{\n  replicates = 2\n  expect nrg_ta.win_rate(oracle).TA > nrg_vq_mq.win_rate(oracle).TA\n  expect dpo.win_rate(oracle).Overall > 0.5\n}}\n");
        var result = Compilation.Load(file, TestEnvironment.Options(temp.Combine("cache"))).Emit(temp.Combine("out"));
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        var code = File.ReadAllText(result.GeneratedSourcePath!);
        Assert.Contains(
            """
                    {
                        Replicates = 2,
                        Expectations = new global::Pipeline.Catalog.Expectations.Expectation[]
                        {
                            new global::Pipeline.Catalog.Expectations.Expectation("dpo.win_rate(oracle).Overall > 0.5", new global::Pipeline.Catalog.Expectations.MetricReference("dpo", "win_rate", "oracle", "Overall"), global::Pipeline.Catalog.Expectations.Comparison.Greater, null, 0.5d),
                            new global::Pipeline.Catalog.Expectations.Expectation("nrg_ta.win_rate(oracle).TA > nrg_vq_mq.win_rate(oracle).TA", new global::Pipeline.Catalog.Expectations.MetricReference("nrg_ta", "win_rate", "oracle", "TA"), global::Pipeline.Catalog.Expectations.Comparison.Greater, new global::Pipeline.Catalog.Expectations.MetricReference("nrg_vq_mq", "win_rate", "oracle", "TA"), null),
                            new global::Pipeline.Catalog.Expectations.Expectation("sft.win_rate(oracle).Overall > 0.5", new global::Pipeline.Catalog.Expectations.MetricReference("sft", "win_rate", "oracle", "Overall"), global::Pipeline.Catalog.Expectations.Comparison.Greater, null, 0.5d),
                        },
                    };
            """,
            code,
            StringComparison.Ordinal);
    }

    [Fact]
    public void A_runtime_without_the_properties_is_reported()
    {
        using var temp = new TempDirectory();
        var text = Sources.Mutate(Sources.Hello, "seed = 7", "seed = 7\n  replicates = 2");
        var result = Compilation.Parse("hello.pipe", text, new CompilationOptions { ReferencePaths = StubRuntime.Build(temp.Path), UseCache = false }).Emit(temp.Combine("out"));
        var lacks = Assert.Single(result.Diagnostics, d => d.Code == CompilerDiagnostics.RuntimeLacksEvidenceCode);
        Assert.Equal("The runtime's ExperimentInfo has no property 'Replicates', so it cannot carry replicates and expectations; update the runtime, or remove them.", lacks.Message);
        Assert.Equal(text.IndexOf("hello", StringComparison.Ordinal), lacks.Span.Start);
    }
}
