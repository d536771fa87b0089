using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SmartCrm.Analytics.Classification;

namespace SmartCrm.Analytics.Tests.Classification;

public class ExplanationTests
{
    [Fact]
    public void Steps_read_as_tests_a_person_understands()
    {
        new DecisionStep(0, "tenure", 3, 5.5, [], Branch.AtMost).ToString().ShouldBe("tenure = 3 ≤ 5.5");
        new DecisionStep(0, "tenure", 9, 5.5, [], Branch.Above).ToString().ShouldBe("tenure = 9 > 5.5");
        new DecisionStep(1, "plan", 2, double.NaN, [0, 2], Branch.InCategories).ToString().ShouldBe("plan = 2 ∈ {0, 2}");
        new DecisionStep(1, "plan", 1, double.NaN, [0, 2], Branch.NotInCategories).ToString().ShouldBe("plan = 1 ∉ {0, 2}");
        new DecisionStep(1, "plan", 7, double.NaN, [0, 2], Branch.InCategories).ToString().ShouldContain("not seen in training");
    }
}
