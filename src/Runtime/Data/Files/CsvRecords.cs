using System.Text;
using Pipeline.Runtime.Core;

namespace Pipeline.Runtime.Data.Files;

/// <summary>One CSV record with the 1-based line it starts on.</summary>
/// <param name="Line">The line number of the record's first character.</param>
/// <param name="Fields">The fields, unquoted.</param>
public sealed record CsvRecord(int Line, IReadOnlyList<string> Fields);

/// <summary>
/// An RFC 4180 CSV reader: comma-separated, fields optionally in double quotes, a doubled quote inside quotes is one
/// quote, and quoted fields may hold commas and line breaks. Records keep the line they start on, for error messages.
/// </summary>
public static class CsvRecords
{
    /// <summary>One record as a CSV line (no line break): a field with a comma, a quote or a line break is quoted, its quotes doubled.</summary>
    public static string Format(IEnumerable<string> fields) =>
        string.Join(',', fields.Select(f => f.AsSpan().IndexOfAny(",\"\r\n") < 0 ? f : "\"" + f.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""));

    /// <summary>Reads every record of <paramref name="text"/>; blank lines are skipped.</summary>
    /// <exception cref="PipelineException">PIPE4103 for an unterminated quote or text after a closing quote.</exception>
    public static IReadOnlyList<CsvRecord> Parse(string text, string fileName)
    {
        ArgumentNullException.ThrowIfNull(text);
        using var reader = new StringReader(text);
        return Read(reader, fileName).ToList();
    }

    /// <summary>
    /// Reads the records of <paramref name="reader"/> one at a time, as they are needed: a file of any size is never
    /// in memory as a whole. Blank lines are skipped; a leading byte-order mark is ignored.
    /// </summary>
    /// <exception cref="PipelineException">PIPE4103 for an unterminated quote or text after a closing quote, when the reader reaches it.</exception>
    public static IEnumerable<CsvRecord> Read(TextReader reader, string fileName)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var recordLine = 1;
        if (reader.Peek() == '\uFEFF')
        {
            reader.Read();
        }

        // fieldStarted: the current field has consumed a character; recordStarted: the current record has.
        bool fieldStarted = false, recordStarted = false;
        while (reader.Peek() >= 0)
        {
            var ch = (char)reader.Read();
            if (ch == '"' && !fieldStarted)
            {
                fieldStarted = true;
                recordStarted = true;
                var quoteLine = line;
                while (true)
                {
                    var next = reader.Read();
                    if (next < 0)
                    {
                        throw new PipelineException(DataDiagnosticCodes.MalformedRow,
                            $"{fileName}:{quoteLine}: a quoted field is never closed; close it with a double quote.");
                    }

                    if (next == '"')
                    {
                        if (reader.Peek() == '"')
                        {
                            reader.Read();
                            field.Append('"');
                            continue;
                        }

                        break;
                    }

                    if (next == '\n')
                    {
                        line++;
                    }

                    field.Append((char)next);
                }

                var after = reader.Peek();
                if (after >= 0 && after != ',' && after != '\n' && after != '\r')
                {
                    throw new PipelineException(DataDiagnosticCodes.MalformedRow,
                        $"{fileName}:{line}: text follows a closing quote; quote the whole field and double any quote inside it.");
                }

                continue;
            }

            if (ch == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
                fieldStarted = false;
                recordStarted = true;
                continue;
            }

            if (ch == '\r' || ch == '\n')
            {
                if (EndRecord() is { } record)
                {
                    yield return record;
                }

                if (ch == '\r' && reader.Peek() == '\n')
                {
                    reader.Read();
                }

                line++;
                recordLine = line;
                continue;
            }

            field.Append(ch);
            fieldStarted = true;
            recordStarted = true;
        }

        if (EndRecord() is { } last)
        {
            yield return last;
        }

        CsvRecord? EndRecord()
        {
            CsvRecord? record = null;
            if (recordStarted)
            {
                fields.Add(field.ToString());
                record = new CsvRecord(recordLine, fields.ToArray());
            }

            fields.Clear();
            field.Clear();
            fieldStarted = false;
            recordStarted = false;
            return record;
        }
    }
}
