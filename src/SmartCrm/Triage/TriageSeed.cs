namespace SmartCrm.Triage;

/// <summary>
/// The examples a company starts with before it has closed tickets of its own (a cold start): a few tickets per category,
/// in English and Chinese, shipped in the program (TriageSeed.tsv, one "category TAB text" per line).
/// </summary>
public static class TriageSeed
{
    private static readonly Lazy<IReadOnlyList<LabelledText>> Loaded = new(() => Load());

    public static IReadOnlyList<LabelledText> Examples => Loaded.Value;

    private static List<LabelledText> Load()
    {
        using var stream = typeof(TriageSeed).Assembly.GetManifestResourceStream("SmartCrm.Triage.TriageSeed.tsv")
            ?? throw new InvalidOperationException("The triage seed set is missing from the program (TriageSeed.tsv).");
        using var reader = new StreamReader(stream);
        var examples = new List<LabelledText>();
        while (reader.ReadLine() is { } line)
        {
            var tab = line.IndexOf('\t', StringComparison.Ordinal);
            if (tab > 0) examples.Add(new LabelledText(line[(tab + 1)..].Trim(), line[..tab].Trim()));
        }
        return examples;
    }
}
