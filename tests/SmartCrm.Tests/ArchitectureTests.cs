using System.Reflection;
using System.Text.RegularExpressions;
using NetArchTest.Rules;
using SmartCrm.Tests.Infrastructure;
using Xunit.Abstractions;

namespace SmartCrm.Tests;

/// <summary>
/// The house in one direction. The two libraries know nothing of the program; the program's folders depend on each other one
/// way, in the order declared here and in the README's Layout section, so that a change low in the order can reach up, and a
/// change high up never reaches down into what others build on.
/// </summary>
public sealed partial class ArchitectureTests(ITestOutputHelper output)
{
    /// <summary>
    /// The folders of src/SmartCrm, lowest first. A folder may use the folders of the layers before its own, never one of its
    /// own layer or of a later one. (The README's Layout section shows the same order.)
    /// </summary>
    public static readonly string[][] Layers =
    [
        ["Records", "Collections", "Operations", "Backup"],
        ["Security"],
        ["Models", "Customers", "Catalog"],
        ["Orders", "Interactions", "Sales", "Tickets", "Devices"],
        ["Telemetry", "Baskets", "Knowledge"],
        ["Gateway", "Alarms"],
        ["Triage", "Insights", "Forecasts", "Recommendations"],
        ["Overview", "Service", "Campaigns"],
        ["Import", "Chat"],
        ["Demo", "Evaluation"],
    ];

    /// <summary>Folders outside the order, and why.</summary>
    public static readonly Dictionary<string, string> Beside = new()
    {
        ["Storage"] = "CrmDb names every folder's tables (one place to see the schema), and every folder reads and writes through it",
        ["Web"] = "the console's shell: its layout and strings serve every folder's pages, its router and dashboard find them",
        ["Hosting"] = "composes the program from every folder's AddX and MapXApi, and nothing uses it",
    };

    /// <summary>
    /// Dependencies allowed against the order, by type and folder, with the reason. Empty: kept so that an exception, if one is
    /// ever needed, is written down where the rule is.
    /// </summary>
    public static readonly (string Type, string Folder, string Reason)[] Exceptions = [];

    private static readonly Assembly Program = typeof(SmartCrm.Hosting.SmartCrmHost).Assembly;

    private static readonly string[] Ordered = [.. Layers.SelectMany(l => l)];

    private static int LayerOf(string folder) => Array.FindIndex(Layers, l => l.Contains(folder));

    private static string Namespace(string folder) => "SmartCrm." + folder;

    private static readonly string[] ProgramNamespaces =
    [
        "SmartCrm.Hosting", "SmartCrm.Storage", "SmartCrm.Customers", "SmartCrm.Security", "SmartCrm.Web", "SmartCrm.Records",
        "SmartCrm.Devices", "SmartCrm.Evaluation", "Microsoft.EntityFrameworkCore",
    ];

    [Theory]
    [InlineData("SmartCrm.Analytics", new[] { "Microsoft.AspNetCore", "System.Net", "SmartCrm.Mqtt" })]
    [InlineData("SmartCrm.Mqtt", new[] { "SmartCrm.Analytics", "Microsoft.AspNetCore" })]
    public void The_libraries_depend_on_nothing_of_the_program(string library, string[] alsoForbidden)
    {
        var assembly = Assembly.Load(library);
        assembly.GetReferencedAssemblies().Select(a => a.Name).ShouldNotContain("smartcrm");
        var result = Types.InAssembly(assembly).ShouldNot().HaveDependencyOnAny([.. ProgramNamespaces, .. Ordered.Select(Namespace), .. alsoForbidden]).GetResult();
        result.IsSuccessful.ShouldBeTrue(string.Join(", ", result.FailingTypeNames ?? []));
    }

    [Fact]
    public void The_mqtt_library_references_no_aspnetcore_assembly()
    {
        // "Base library and System.IO.Pipelines only": a broker that can be embedded anywhere, not only in a web host.
        var references = Assembly.Load("SmartCrm.Mqtt").GetReferencedAssemblies().Select(a => a.Name!).ToList();
        references.Where(r => r.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)).ShouldBeEmpty();
    }

    [Fact]
    public void Every_folder_depends_only_on_the_folders_before_it()
    {
        var types = Types.InAssembly(Program);
        var wrong = new List<string>();
        foreach (var folder in Ordered)
        {
            var layer = LayerOf(folder);
            var above = Ordered.Where(f => f != folder && LayerOf(f) >= layer).Append("Hosting");
            foreach (var target in above)
            {
                foreach (var type in Dependents(types, folder, target))
                {
                    if (Exceptions.Any(e => e.Type == type && e.Folder == target)) continue;
                    wrong.Add($"{type} (in {folder}, layer {layer + 1}) uses {target} ({(target == "Hosting" ? "which composes the program" : $"layer {LayerOf(target) + 1}")})");
                }
            }
        }
        foreach (var line in wrong) output.WriteLine(line);
        wrong.ShouldBeEmpty();
    }

    [Fact]
    public void No_source_file_names_a_folder_after_its_own()
    {
        // The compiled check cannot see constants (a permission's name is copied into the code that uses it) nor unused
        // usings; the source can. Every `using SmartCrm.X` and qualified `SmartCrm.X.` in a folder's files points down too.
        var source = SourceTree.Find("src/SmartCrm");
        var wrong = new List<string>();
        foreach (var folder in Ordered)
        {
            var layer = LayerOf(folder);
            foreach (var file in Directory.EnumerateFiles(Path.Combine(source, folder), "*.*", SearchOption.AllDirectories)
                .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".razor", StringComparison.Ordinal)))
            {
                foreach (var target in FolderReference().Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value).Distinct())
                {
                    if (target == folder || Beside.ContainsKey(target) && target != "Hosting") continue;
                    if (!Ordered.Contains(target) && target != "Hosting") continue; // the libraries: SmartCrm.Analytics, SmartCrm.Mqtt
                    if (target == "Hosting" || LayerOf(target) >= layer) wrong.Add($"{Path.GetRelativePath(source, file)} names {target}");
                }
            }
        }
        wrong.ShouldBeEmpty();
    }

    [Fact]
    public void The_folders_form_no_cycle()
    {
        // Independent of the declared order: the graph as the compiled code has it, Storage, Web and Hosting aside.
        var types = Types.InAssembly(Program);
        var graph = Ordered.ToDictionary(f => f, f => Ordered.Where(t => t != f && Dependents(types, f, t).Any()).ToList());
        foreach (var (from, to) in graph) output.WriteLine($"{from} -> {string.Join(", ", to)}");
        Cycle(graph).ShouldBeNull();
    }

    [Fact]
    public void The_cycle_search_finds_a_cycle()
    {
        Cycle(new() { ["A"] = ["B"], ["B"] = ["C"], ["C"] = ["A"], ["D"] = ["A"] })!.ShouldBe(["A", "B", "C", "A"]);
        Cycle(new() { ["A"] = ["B", "C"], ["B"] = ["C"], ["C"] = [] }).ShouldBeNull();
    }

    [Fact]
    public void Every_folder_is_placed_and_every_type_lives_in_its_folders_namespace()
    {
        var source = SourceTree.Find("src/SmartCrm");
        var folders = Directory.EnumerateDirectories(source).Select(Path.GetFileName)
            .Where(f => f is not ("bin" or "obj" or "wwwroot" or "Properties")).Order().ToList();
        folders.ShouldBe([.. Ordered.Concat(Beside.Keys).Order()], ignoreOrder: false, "every folder of src/SmartCrm is in the declared order or beside it");

        var misplaced = new List<string>();
        foreach (var file in Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories).Where(f => !IsBuildOutput(source, f)))
        {
            var relative = Path.GetRelativePath(source, file);
            var folder = Path.GetDirectoryName(relative)!.Split(Path.DirectorySeparatorChar)[0];
            if (folder.Length == 0) continue; // Program.cs
            var declared = FileNamespace().Match(File.ReadAllText(file));
            if (!declared.Success || declared.Groups[1].Value != Namespace(folder)) misplaced.Add($"{relative}: namespace {(declared.Success ? declared.Groups[1].Value : "(none)")}");
        }
        misplaced.ShouldBeEmpty("NetArchTest knows folders by their namespaces");

        // The root's _Imports.razor is the one type of the root namespace: the usings of every page.
        var stray = Program.GetTypes().Where(t => t.Namespace is { } ns && ns.StartsWith("SmartCrm", StringComparison.Ordinal)
            && !Ordered.Concat(Beside.Keys).Any(f => ns == Namespace(f)) && t.FullName != "SmartCrm._Imports").Select(t => t.FullName).ToList();
        stray.ShouldBeEmpty();
    }

    /// <summary>Files that hold a family of small types under a common name, and why they are not split.</summary>
    public static readonly Dictionary<string, string> FamilyFiles = new()
    {
        ["src/SmartCrm.Mqtt/Packets/Packets.cs"] = "the packet records of the protocol, one screen each; split when the broker work of issue 10 has landed",
        ["src/SmartCrm.Mqtt/Broker/Hooks.cs"] = "the arguments and answers of the broker's hooks; split when the broker work of issue 10 has landed",
        ["src/SmartCrm.Mqtt/Client/ClientTypes.cs"] = "the client's small result types; split when the broker work of issue 10 has landed",
    };

    [Fact]
    public void Every_source_file_holds_a_type_of_its_name()
    {
        // A file is named after the type it holds (records that belong to it may sit beside it); an interface I<Name> counts.
        var root = Path.GetDirectoryName(SourceTree.Find("src"))!;
        var wrong = new List<string>();
        foreach (var project in new[] { "src/SmartCrm", "src/SmartCrm.Analytics", "src/SmartCrm.Mqtt" })
        {
            var folder = Path.Combine(root, project);
            foreach (var file in Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories).Where(f => !IsBuildOutput(folder, f)))
            {
                var relative = Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');
                var name = Path.GetFileNameWithoutExtension(file);
                var declared = TopLevelType().Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value).ToList();
                if (declared.Contains(name) || declared.Contains("I" + name) || FamilyFiles.ContainsKey(relative)) continue;
                wrong.Add($"{relative} holds {string.Join(", ", declared)}");
            }
        }
        wrong.ShouldBeEmpty();
    }

    private static bool IsBuildOutput(string root, string file) =>
        Path.GetRelativePath(root, file).Split(Path.DirectorySeparatorChar) is [var first, ..] && first is "bin" or "obj";

    /// <summary>The types of <paramref name="folder"/> that use a type of <paramref name="target"/>.</summary>
    private static IEnumerable<string> Dependents(Types types, string folder, string target) =>
        types.That().ResideInNamespaceMatching($"^{Regex.Escape(Namespace(folder))}$").And().HaveDependencyOn(Namespace(target))
            .GetTypes().Select(t => t.FullName!);

    /// <summary>A cycle in the graph as a path that ends where it starts, or null.</summary>
    public static List<string>? Cycle(Dictionary<string, List<string>> graph)
    {
        var state = new Dictionary<string, int>(); // 1 on the path, 2 done
        var path = new List<string>();
        foreach (var start in graph.Keys)
        {
            if (Visit(start) is { } cycle) return cycle;
        }
        return null;

        List<string>? Visit(string node)
        {
            if (state.GetValueOrDefault(node) == 2) return null;
            if (state.GetValueOrDefault(node) == 1) return [.. path.Skip(path.IndexOf(node)), node];
            state[node] = 1;
            path.Add(node);
            foreach (var next in graph.GetValueOrDefault(node) ?? [])
            {
                if (Visit(next) is { } cycle) return cycle;
            }
            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }
    }

    [GeneratedRegex(@"^namespace\s+([\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex FileNamespace();

    [GeneratedRegex(@"\bSmartCrm\.(\w+)")]
    private static partial Regex FolderReference();

    [GeneratedRegex(@"^(?:(?:public|internal|file|static|sealed|abstract|partial|readonly|ref)\s+)*(?:class|struct|interface|enum|record(?:\s+struct|\s+class)?)\s+(\w+)", RegexOptions.Multiline)]
    private static partial Regex TopLevelType();
}
