using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SmartCrm.Import;

namespace SmartCrm.Tests.Import;

public sealed class ImportMappingTests
{
    [Theory]
    [InlineData("x")]
    [InlineData("42")]
    [InlineData("~")]
    [InlineData("- a\n- b")]
    [InlineData("\"just a string\"")]
    public void A_mapping_that_is_a_bare_value_or_a_list_is_refused_naming_the_field(string yaml)
    {
        var refused = Should.Throw<ImportFileException>(() => ImportMapping.FromYaml(yaml));
        refused.Field.ShouldBe("mapping");
        refused.Message.ShouldStartWith("mapping line 1: a mapping is a");
    }

    [Theory]
    [InlineData("cleaning: x", "mapping line 1")]
    [InlineData("columns: [1, 2]", "mapping line 1")]
    [InlineData("source: a\ncleaning:\n  outliers: 5\n", "mapping line 3")]
    [InlineData("a: &a [x]\nb: *a\n", "aliases")]
    [InlineData("source: \"\\0\"", "control character")]
    [InlineData("source: \"\\ud800\"", "mapping line 1")]
    public void A_section_of_the_wrong_shape_is_refused_with_its_line(string yaml, string expected)
    {
        var refused = Should.Throw<ImportFileException>(() => ImportMapping.FromYaml(yaml));
        refused.Field.ShouldBe("mapping");
        refused.Message.ShouldContain(expected);
    }

    [Fact]
    public void Size_nesting_and_aliases_are_bounded_before_anything_is_bound()
    {
        Should.Throw<ImportFileException>(() => ImportMapping.FromYaml("source: " + new string('s', ImportMapping.MaxYamlLength))).Message.ShouldContain("longer than");
        Should.Throw<ImportFileException>(() => ImportMapping.FromYaml("cleaning: " + new string('[', 20_000) + new string(']', 20_000))).Message.ShouldContain("nested deeper");
        var bomb = new StringBuilder("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (var level = 'b'; level <= 'j'; level++) bomb.Append(level).Append(": &").Append(level).Append(" [").Append(string.Join(", ", Enumerable.Repeat("*" + (char)(level - 1), 9))).Append("]\n");
        Should.Throw<ImportFileException>(() => ImportMapping.FromYaml(bomb.ToString())).Message.ShouldContain("aliases");
    }

    [Fact]
    public void Empty_sections_mean_the_defaults_and_the_built_in_mappings_still_read()
    {
        var mapping = ImportMapping.FromYaml("columns:\ncleaning:\nduplicates:\n");
        mapping.Columns.ShouldBeEmpty();
        (mapping.Cleaning.TimeZone, mapping.Duplicates.Survivorship).ShouldBe(("UTC", "newest"));
        foreach (var name in ImportMapping.BuiltIn()) ImportMapping.Named(name).ShouldNotBeNull();
        Should.Throw<ImportFileException>(() => ImportMapping.Named("/etc/passwd")).Field.ShouldBe("map");
    }

    /// <summary>Whatever the text, the mapping binds (and then cleans and plans) or is refused naming the field; nothing else escapes.</summary>
    [Property(MaxTest = 300)]
    public Property Any_mapping_text_binds_or_is_refused_naming_the_field() =>
        Prop.ForAll(Arb.From(HostileImports.Mapping()), yaml =>
        {
            ImportMapping mapping;
            try
            {
                mapping = ImportMapping.FromYaml(yaml);
            }
            catch (ImportFileException e)
            {
                return e.Field == "mapping";
            }
            try
            {
                var cleaning = new Cleaning(mapping.Cleaning);
                foreach (var kind in Enum.GetValues<ImportKind>()) _ = new ImportPlan(kind, mapping, cleaning, ["name", "email", "customer", "sku", "score", "age"]);
            }
            catch (ImportFileException)
            {
            }
            return true;
        });

    [Property(MaxTest = 200)]
    public bool Any_string_as_a_mapping_binds_or_is_refused_naming_the_field(NonNull<string> text)
    {
        try
        {
            ImportMapping.FromYaml(text.Get);
            return true;
        }
        catch (ImportFileException e)
        {
            return e.Field == "mapping";
        }
    }
}
