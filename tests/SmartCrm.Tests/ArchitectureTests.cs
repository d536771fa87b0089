using System.Reflection;
using NetArchTest.Rules;

namespace SmartCrm.Tests;

/// <summary>The two libraries know nothing of the program: they can be reused, tested and measured on their own.</summary>
public sealed class ArchitectureTests
{
    private static readonly string[] ProgramNamespaces =
    [
        "SmartCrm.Hosting", "SmartCrm.Storage", "SmartCrm.Customers", "SmartCrm.Security", "SmartCrm.Web", "SmartCrm.Records",
        "SmartCrm.Devices", "SmartCrm.Evaluation", "Microsoft.EntityFrameworkCore",
    ];

    [Theory]
    [InlineData("SmartCrm.Analytics", new[] { "Microsoft.AspNetCore", "System.Net", "SmartCrm.Mqtt" })]
    [InlineData("SmartCrm.Mqtt", new[] { "SmartCrm.Analytics", "Microsoft.AspNetCore.Mvc", "Microsoft.AspNetCore.Components" })]
    public void The_libraries_depend_on_nothing_of_the_program(string library, string[] alsoForbidden)
    {
        var assembly = Assembly.Load(library);
        assembly.GetReferencedAssemblies().Select(a => a.Name).ShouldNotContain("smartcrm");
        var result = Types.InAssembly(assembly).ShouldNot().HaveDependencyOnAny([.. ProgramNamespaces, .. alsoForbidden]).GetResult();
        result.IsSuccessful.ShouldBeTrue(string.Join(", ", result.FailingTypeNames ?? []));
    }
}
