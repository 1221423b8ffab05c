namespace Pipeline.Compiler.Tests;

public sealed class SmokeTests
{
    [Fact]
    public void Hello_compiles()
    {
        using var temp = new TempDirectory();
        var compilation = Compilation.Load(Path.Combine(TestEnvironment.ExamplesDirectory, "hello.pipe"), TestEnvironment.Options(temp.Combine("cache")));
        Assert.Empty(compilation.Diagnostics);
        var (code, diagnostics) = compilation.GenerateCSharp();
        Assert.True(diagnostics.IsEmpty, string.Join("\n", diagnostics));
        File.WriteAllText("/tmp/hello.g.cs", code);
        var result = compilation.Emit(temp.Combine("out"));
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
    }
}
