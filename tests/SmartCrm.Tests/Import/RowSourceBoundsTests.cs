using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SmartCrm.Import;

namespace SmartCrm.Tests.Import;

/// <summary>The CSV and JSON-lines readers: any bytes give rows or a file error naming the line, within their bounds.</summary>
public sealed class RowSourceBoundsTests
{
    private static bool Reads(byte[] content, string extension, ReadOptions? options = null)
    {
        using var file = new TempFile(content, extension);
        try
        {
            using var source = TextSource.Open(file.Path, options ?? new ReadOptions());
            source.Columns.Count.ShouldBeLessThanOrEqualTo(TextSource.MaxColumns);
            foreach (var row in source.Rows())
            {
                row.Fields.Length.ShouldBeLessThanOrEqualTo(TextSource.MaxColumns);
                row.Fields.Sum(f => f?.Length ?? 0).ShouldBeLessThanOrEqualTo(new ReadOptions().MaxRowLength);
            }
            return true;
        }
        catch (ImportFileException e)
        {
            return e.Message.Length > 0;
        }
    }

    [Property(MaxTest = 300)]
    public bool Any_bytes_read_as_csv_give_rows_or_a_file_error(byte[] content) => Reads(content, ".csv");

    [Property(MaxTest = 300)]
    public bool Any_bytes_read_as_json_lines_give_rows_or_a_file_error(byte[] content) => Reads(content, ".jsonl");

    [Property(MaxTest = 200)]
    public Property Hostile_csv_and_json_lines_give_rows_or_a_file_error() =>
        Prop.ForAll(Arb.From(HostileImports.File()), text => Reads(Encoding.UTF8.GetBytes(text), text.StartsWith('{') ? ".jsonl" : ".csv"));

    [Fact]
    public void A_row_with_too_many_fields_or_characters_is_rejected_and_the_next_one_reads()
    {
        var wide = string.Join(',', Enumerable.Range(0, TextSource.MaxColumns + 5)) + "\n";
        var csv = "a,b\n" + wide + "x," + new string('y', 30_000) + "\n1,2\n";
        using var file = new TempFile(csv);
        using (var source = TextSource.Open(file.Path, new ReadOptions { MaxRowLength = 20_000 }))
        {
            var rows = source.Rows().ToList();
            rows.Select(r => r.Problem is null).ShouldBe([false, false, true]);
            rows[0].Problem!.ShouldContain("more than 2,000 fields");
            rows[1].Problem!.ShouldContain("longer than 20,000 characters");
            rows[2].Fields.ShouldBe(["1", "2"]);
        }
        using var header = new TempFile(wide + "1\n");
        Should.Throw<ImportFileException>(() => TextSource.Open(header.Path, new ReadOptions { Header = true })).Message.ShouldContain("more than 2,000 columns");
    }

    [Fact]
    public void Json_lines_with_too_many_keys_or_text_no_store_can_keep_are_rejected_rows()
    {
        var lines = new StringBuilder("{\"name\":\"Ada\"}\n");
        lines.Append('{').Append(string.Join(',', Enumerable.Range(0, TextSource.MaxColumns + 1).Select(i => $"\"k{i}\":1"))).Append("}\n");
        lines.Append("{\"name\":\"B\\u0000\"}\n{\"name\":\"C\\ud800\"}\n{\"na\\udc00me\":\"D\"}\n{\"name\":\"Eve\"}\n");
        using var file = new TempFile(lines.ToString(), extension: ".jsonl");
        using var source = TextSource.Open(file.Path, new ReadOptions());
        var rows = source.Rows().ToList();
        rows.Select(r => r.Problem is null).ShouldBe([true, false, false, false, false, true]);
        rows[5].Fields[0].ShouldBe("Eve");
    }
}
