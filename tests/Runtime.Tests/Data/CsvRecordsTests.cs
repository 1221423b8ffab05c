using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data.Files;

namespace Pipeline.Runtime.Tests.Data;

public class CsvRecordsTests
{
    [Fact]
    public void Quoted_fields_keep_commas_quotes_and_line_breaks_and_records_keep_their_first_line()
    {
        var text = "a,b,c\n1,\"x, y\",\"say \"\"hi\"\"\"\n2,\"two\nlines\",z\r\n\n3,,\n";
        var records = CsvRecords.Parse(text, "t.csv");
        Assert.Equal(4, records.Count);
        Assert.Equal(["1", "x, y", "say \"hi\""], records[1].Fields);
        Assert.Equal(2, records[1].Line);
        Assert.Equal(["2", "two\nlines", "z"], records[2].Fields);
        Assert.Equal(3, records[2].Line);
        Assert.Equal(["3", "", ""], records[3].Fields);
        Assert.Equal(6, records[3].Line);
    }

    [Fact]
    public void An_unclosed_quote_names_the_file_and_line()
    {
        var error = Assert.Throws<PipelineException>(() => CsvRecords.Parse("a,b\n1,2\n3,\"open\n", "bad.csv"));
        Assert.Equal(DataDiagnosticCodes.MalformedRow, error.Code);
        Assert.StartsWith("bad.csv:3:", error.Message);
    }

    [Fact]
    public void Text_after_a_closing_quote_is_an_error()
    {
        var error = Assert.Throws<PipelineException>(() => CsvRecords.Parse("a,b\n\"x\"y,2\n", "bad.csv"));
        Assert.StartsWith("bad.csv:2:", error.Message);
    }

    [Fact]
    public void Records_stream_from_a_reader_before_the_rest_of_the_file_is_read()
    {
        // A reader that fails once read past its first two lines: the records before that come out first.
        using var reader = new FailingAfter("a,b\n1,2\n", "3,4\n");
        using var records = CsvRecords.Read(reader, "big.csv").GetEnumerator();
        Assert.True(records.MoveNext());
        Assert.Equal(["a", "b"], records.Current.Fields);
        Assert.True(records.MoveNext());
        Assert.Equal(["1", "2"], records.Current.Fields);
        Assert.Equal(2, records.Current.Line);
        Assert.Throws<IOException>(() => records.MoveNext());
    }

    [Fact]
    public void Data_codes_are_unique_and_in_the_data_range()
    {
        Assert.Equal(DataDiagnosticCodes.All.Count, DataDiagnosticCodes.All.Distinct().Count());
        Assert.All(DataDiagnosticCodes.All, code => Assert.Matches("^PIPE41[0-9][0-9]$", code));
        Assert.Empty(DataDiagnosticCodes.All.Intersect(RuntimeDiagnosticCodes.All));
    }
}

/// <summary>Reads <c>first</c>, then fails when asked for anything of <c>rest</c>.</summary>
internal sealed class FailingAfter(string first, string rest) : TextReader
{
    private int position;

    public override int Peek() => position < first.Length ? first[position] : position == first.Length && rest.Length > 0 ? throw new IOException("read past the allowed part") : -1;

    public override int Read()
    {
        var next = Peek();
        if (next >= 0)
        {
            position++;
        }

        return next;
    }
}
