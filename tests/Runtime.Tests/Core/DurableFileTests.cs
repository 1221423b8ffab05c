using Pipeline.Runtime.Core;

namespace Pipeline.Runtime.Tests.Core;

/// <summary>
/// <see cref="DurableFile"/> leaves nothing behind when a write fails: no temporary file, and no folder it created for
/// the file (a run without ffmpeg left an empty samples/ folder in --out).
/// </summary>
public sealed class DurableFileTests
{
    [Fact]
    public void A_failed_write_removes_the_folders_it_created_and_its_temporary_file()
    {
        var root = Directory.CreateTempSubdirectory("pipeline-durable-").FullName;
        try
        {
            var target = Path.Combine(root, "samples", "eval", "base_0.gif");

            var error = Assert.Throws<PipelineException>(() =>
                DurableFile.Replace(target, temporary => throw new IOException("the writer failed"), "GIF"));

            Assert.Contains("the writer failed", error.Message, StringComparison.Ordinal);
            Assert.Empty(Directory.EnumerateFileSystemEntries(root));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void A_failed_write_keeps_folders_that_existed_or_that_hold_other_files()
    {
        var root = Directory.CreateTempSubdirectory("pipeline-durable-").FullName;
        try
        {
            var samples = Path.Combine(root, "samples");
            var written = Path.Combine(samples, "eval", "base_0.gif");
            DurableFile.WriteAllText(written, "gif");

            Assert.Throws<PipelineException>(() =>
                DurableFile.Replace(Path.Combine(samples, "other", "x.gif"), temporary => throw new IOException("the writer failed")));

            Assert.Equal(["eval"], Directory.GetDirectories(samples).Select(Path.GetFileName));
            Assert.Equal("gif", File.ReadAllText(written));
            Assert.Empty(Directory.GetFiles(samples, "*.tmp", SearchOption.AllDirectories));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
