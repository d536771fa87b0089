using SmartCrm.Analytics.Classification;

namespace SmartCrm.Analytics.Tests.Classification;

public class FeatureMatrixTests
{
    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Non_finite_values_are_refused_naming_row_and_column(double bad)
    {
        var error = Should.Throw<ArgumentException>(() => new FeatureMatrix([1, 2, 3, bad], 2, 2, null, ["age", "spend"]));

        error.Message.ShouldContain("row 1, column 'spend'");
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1.5)]
    [InlineData(254)]
    public void Categorical_codes_must_be_small_whole_numbers(double code)
    {
        Should.Throw<ArgumentException>(() => new FeatureMatrix([code], 1, 1, [FeatureKind.Categorical])).Message.ShouldContain("codes are whole numbers");
    }

    [Fact]
    public void Shape_must_match_the_values()
    {
        Should.Throw<ArgumentException>(() => new FeatureMatrix([1, 2, 3], 2, 2)).Message.ShouldContain("3 values cannot fill 2 rows × 2 columns");
        Should.Throw<ArgumentException>(() => FeatureMatrix.FromRows([[1.0, 2], [3.0]])).Message.ShouldContain("row 1 has 1 values");
        Should.Throw<ArgumentException>(() => FeatureMatrix.FromRows([])).Message.ShouldContain("no rows");
    }

    [Fact]
    public void Select_copies_the_chosen_rows_in_order()
    {
        var x = FeatureMatrix.FromRows([[1.0, 2], [3.0, 4], [5.0, 6]]);

        var chosen = x.Select([2, 0]);

        chosen.Rows.ShouldBe(2);
        chosen.Row(0).ToArray().ShouldBe([5.0, 6]);
        chosen.Row(1).ToArray().ShouldBe([1.0, 2]);
    }

    [Fact]
    public void One_hot_expands_categories_seen_in_training_and_keeps_numbers()
    {
        var train = new FeatureMatrix([1, 10, 0, 20, 1, 30], 3, 2, [FeatureKind.Categorical, FeatureKind.Numeric], ["plan", "spend"]);
        var score = new FeatureMatrix([5, 40], 1, 2, [FeatureKind.Categorical, FeatureKind.Numeric], ["plan", "spend"]);

        var categories = OneHot.CategoriesOf(train);
        var expanded = OneHot.Expand(train, categories);
        var scored = OneHot.Expand(score, categories);

        expanded.Names.ShouldBe(["plan=0", "plan=1", "spend"]);
        expanded.Row(0).ToArray().ShouldBe([0.0, 1, 10]);
        expanded.Row(1).ToArray().ShouldBe([1.0, 0, 20]);
        scored.Row(0).ToArray().ShouldBe([0.0, 0, 40]);
    }
}
