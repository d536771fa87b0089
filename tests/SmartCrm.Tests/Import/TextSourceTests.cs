using System.Text;
using SmartCrm.Import;

namespace SmartCrm.Tests.Import;

public sealed class TextSourceTests
{
    private static List<RawRow> Read(TempFile file, ReadOptions? options = null)
    {
        using var source = TextSource.Open(file.Path, options ?? new ReadOptions());
        return source.Rows().ToList();
    }

    [Theory]
    [InlineData(",")]
    [InlineData(";")]
    [InlineData("\t")]
    [InlineData("|")]
    public void Finds_the_delimiter_and_the_header(string delimiter)
    {
        using var file = new TempFile($"name{delimiter}email{delimiter}age\nAnna{delimiter}anna@example.com{delimiter}31\nBo{delimiter}bo@example.com{delimiter}40\n");
        using var source = TextSource.Open(file.Path, new ReadOptions());
        source.Delimiter.ShouldBe(delimiter[0]);
        source.HasHeader.ShouldBeTrue();
        source.Columns.ShouldBe(["name", "email", "age"]);
        var rows = source.Rows().ToList();
        rows.Select(r => r.Line).ShouldBe([2L, 3L]);
        rows[1].Fields.ShouldBe(["Bo", "bo@example.com", "40"]);
    }

    [Fact]
    public void Quoted_fields_keep_delimiters_doubled_quotes_and_line_breaks_and_lines_are_counted_from_the_file()
    {
        using var file = new TempFile("\uFEFFname,note\r\n\"Smith, Anna\",\"said \"\"hi\"\"\r\non two lines\"\r\nBo,plain\r\n");
        using var source = TextSource.Open(file.Path, new ReadOptions());
        source.Columns.ShouldBe(["name", "note"], "the BOM is not part of the first column's name");
        var rows = source.Rows().ToList();
        rows[0].Fields.ShouldBe(["Smith, Anna", "said \"hi\"\r\non two lines"]);
        rows[1].Line.ShouldBe(4, "the quoted line break counts as a line");
    }

    [Fact]
    public void A_file_without_a_header_gets_numbered_columns()
    {
        using var file = new TempFile("196\t242\t3\t881250949\n186\t302\t3\t891717742\n");
        using var source = TextSource.Open(file.Path, new ReadOptions());
        source.HasHeader.ShouldBeFalse();
        source.Columns.ShouldBe(["1", "2", "3", "4"]);
        source.Rows().Count().ShouldBe(2);
    }

    [Fact]
    public void Latin1_and_GB18030_are_recognised_without_being_told()
    {
        using var latin = new TempFile(Encoding.Latin1.GetBytes("1|Misérables, Les (1995)|x\n2|Crème|y\n"));
        Read(latin)[0].Fields[1].ShouldBe("Misérables, Les (1995)");

        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var gb = Encoding.GetEncoding("GB18030");
        using var chinese = new TempFile(gb.GetBytes("姓名,电话,城市\n王小明,13800138000,北京\n李华,13900139000,上海\n"));
        using var source = TextSource.Open(chinese.Path, new ReadOptions());
        source.Encoding.WebName.ShouldBe(gb.WebName);
        source.Columns.ShouldBe(["姓名", "电话", "城市"]);
        source.Rows().First().Fields.ShouldBe(["王小明", "13800138000", "北京"]);
    }

    [Fact]
    public void Ragged_rows_are_reported_with_their_line_and_reading_goes_on()
    {
        using var file = new TempFile("a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n");
        var rows = Read(file);
        rows.Select(r => r.Problem).ShouldBe([null, "expected 3 fields, found 2", "expected 3 fields, found 4", null]);
        rows.Select(r => r.Line).ShouldBe([2L, 3L, 4L, 5L]);
    }

    [Fact]
    public void An_unterminated_quote_is_named_with_the_line_it_opened_on()
    {
        using var file = new TempFile("name,note\nAnna,fine\nBo,\"never closed\nCarl,x\n");
        var rows = Read(file);
        rows[0].Problem.ShouldBeNull();
        rows[1].Line.ShouldBe(3);
        rows[1].Problem!.ShouldContain("quote opened on line 3");
    }

    [Fact]
    public void A_ten_megabyte_field_rejects_its_row_without_filling_memory_and_the_next_row_is_read()
    {
        var huge = new string('x', 10 * 1024 * 1024);
        using var file = new TempFile($"name,note\nAnna,\"{huge}\"\nBo,short\n");
        var rows = Read(file);
        rows.Count.ShouldBe(2);
        rows[0].Problem!.ShouldContain("field 2 is longer than 1,048,576 characters");
        rows[0].Fields[1].ShouldBeNull("the field was dropped, not kept");
        rows[1].Fields.ShouldBe(["Bo", "short"]);
        rows[1].Line.ShouldBe(3);
    }

    [Fact]
    public void Binary_garbage_is_refused_with_a_message_not_a_crash()
    {
        var bytes = new byte[4096];
        new Random(7).NextBytes(bytes);
        bytes[100] = 0;
        using var file = new TempFile(bytes);
        var error = Should.Throw<ImportFileException>(() => TextSource.Open(file.Path, new ReadOptions()).Dispose());
        error.Message.ShouldContain("not a text file");
        error.Message.ShouldStartWith("line ");
    }

    [Fact]
    public void A_wrong_delimiter_is_named_with_the_right_one()
    {
        using var file = new TempFile("name,email,phone\nAnna,a@example.com,1\n");
        var error = Should.Throw<ImportFileException>(() => TextSource.Open(file.Path, new ReadOptions { Delimiter = ';' }).Dispose());
        error.Message.ShouldBe("line 1: the header is a single column when split by ';' (semicolon), but ',' (comma) splits it into 3; the file's delimiter is probably ',' (comma).");
    }

    [Fact]
    public void Json_lines_become_columns_and_a_broken_line_is_one_rejected_row()
    {
        using var file = new TempFile("{\"name\":\"Anna\",\"age\":31}\n{\"name\":\"Bo\",\"lines\":[{\"sku\":\"A\"}]}\n{broken\n[1,2]\n{\"name\":\"Carl\"}\n", extension: ".jsonl");
        using var source = TextSource.Open(file.Path, new ReadOptions());
        var rows = source.Rows().ToList();
        source.Columns.ShouldBe(["name", "age", "lines"]);
        rows[0].Fields.ShouldBe(["Anna", "31"], "keys seen later are missing from earlier rows, which the plan reads as empty");
        rows[1].Fields[2].ShouldBe("[{\"sku\":\"A\"}]");
        rows[2].Problem!.ShouldStartWith("not valid JSON");
        rows[3].Problem.ShouldBe("the line is not a JSON object");
        rows[4].Line.ShouldBe(5);
        rows[4].Fields[0].ShouldBe("Carl");
    }
}
