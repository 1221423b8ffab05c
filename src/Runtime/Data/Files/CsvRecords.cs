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
        var records = new List<CsvRecord>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var recordLine = 1;
        var i = 0;
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            i = 1;
        }

        // fieldStarted: the current field has consumed a character; recordStarted: the current record has.
        bool fieldStarted = false, recordStarted = false;
        while (i < text.Length)
        {
            var ch = text[i];
            if (ch == '"' && !fieldStarted)
            {
                fieldStarted = true;
                recordStarted = true;
                i++;
                var quoteLine = line;
                while (true)
                {
                    if (i >= text.Length)
                    {
                        throw new PipelineException(DataDiagnosticCodes.MalformedRow,
                            $"{fileName}:{quoteLine}: a quoted field is never closed; close it with a double quote.");
                    }

                    if (text[i] == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"')
                        {
                            field.Append('"');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    if (text[i] == '\n')
                    {
                        line++;
                    }

                    field.Append(text[i]);
                    i++;
                }

                if (i < text.Length && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
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
                i++;
                continue;
            }

            if (ch == '\r' || ch == '\n')
            {
                EndRecord();
                if (ch == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                i++;
                line++;
                recordLine = line;
                continue;
            }

            field.Append(ch);
            fieldStarted = true;
            recordStarted = true;
            i++;
        }

        EndRecord();
        return records;

        void EndRecord()
        {
            if (recordStarted)
            {
                fields.Add(field.ToString());
                records.Add(new CsvRecord(recordLine, fields.ToArray()));
            }

            fields.Clear();
            field.Clear();
            fieldStarted = false;
            recordStarted = false;
        }
    }
}
