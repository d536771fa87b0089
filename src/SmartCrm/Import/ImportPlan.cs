using System.Globalization;
using SmartCrm.Analytics.Matching;

namespace SmartCrm.Import;

/// <summary>A finding about one row before it is written.</summary>
public readonly record struct Finding(string? Column, string? Value, ProblemAction Action, string Reason);

/// <summary>
/// Which file column feeds which field, and the cleaning of one row: typed fields (emails, phones, names, countries, dates,
/// numbers), missing values, outliers and standardisation, with statistics gathered in a first pass over the file.
/// </summary>
public sealed class ImportPlan
{
    private static readonly HashSet<string> DateFields = ["createdAt", "orderedAt", "occurredAt", "ratedAt"];
    private static readonly HashSet<string> NumberFields = ["price", "unitPrice", "score", "quantity"];
    private static readonly HashSet<string> NameFields = ["name", "firstName", "lastName"];

    private readonly ImportKind _kind;
    private readonly ImportMapping _mapping;
    private readonly Cleaning _cleaning;
    private readonly List<Slot> _slots = [];
    private readonly Dictionary<string, int> _slotOf = new(StringComparer.OrdinalIgnoreCase);

    private sealed class Slot(string field, int column, string columnName)
    {
        public string Field { get; } = field;
        public int Column { get; } = column;
        public string ColumnName { get; } = columnName;
        public bool IsAttribute => Field.StartsWith(ImportFields.AttributePrefix, StringComparison.Ordinal);
        public string Name => IsAttribute ? Field[ImportFields.AttributePrefix.Length..] : Field;
        public string? MissingRule { get; set; }
        public OutlierRule? Outlier { get; set; }
        public bool Standardise { get; set; }
        public bool Numeric { get; set; }
        // First-pass statistics.
        public long Filled { get; set; }
        public long Empty { get; set; }
        public long NumericCount { get; set; }
        public List<double>? Values { get; set; }
        public double? Fill { get; set; }
        public Fences? Fences { get; set; }
        public (double Mean, double Deviation)? Spread { get; set; }
    }

    public ImportPlan(ImportKind kind, ImportMapping mapping, Cleaning cleaning, IReadOnlyList<string> columns)
    {
        _kind = kind;
        _mapping = mapping;
        _cleaning = cleaning;
        var known = ImportFields.For(kind);
        var byName = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < columns.Count; i++) byName.TryAdd(columns[i], i);
        foreach (var key in mapping.Columns.Keys)
        {
            if (!byName.ContainsKey(key) && !(int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var position) && position >= 1 && position <= columns.Count))
                throw new ImportFileException($"line 1: the mapping names column '{key}', which the file does not have (columns: {string.Join(", ", columns.Take(30))}).");
        }
        var unmapped = new List<string>();
        for (var i = 0; i < columns.Count; i++)
        {
            var column = columns[i];
            string? field = mapping.Columns.TryGetValue(column, out var named) ? named
                : mapping.Columns.TryGetValue((i + 1).ToString(CultureInfo.InvariantCulture), out var positional) ? positional
                : mapping.Columns.FirstOrDefault(p => string.Equals(p.Key, column, StringComparison.OrdinalIgnoreCase)).Value;
            if (field is null)
            {
                var suggested = ImportFields.Suggest(kind, column);
                if (suggested is not null && !_slotOf.ContainsKey(suggested) && !mapping.Columns.ContainsValue(suggested)) field = suggested;
            }
            if (field is null)
            {
                unmapped.Add(column);
                if (kind != ImportKind.Customers || mapping.Unmapped == "ignore") continue;
                field = ImportFields.AttributePrefix + column;
            }
            if (field == ImportFields.Ignore) continue;
            if (!field.StartsWith(ImportFields.AttributePrefix, StringComparison.Ordinal) && !known.Contains(field))
                throw new ImportFileException($"line 1: column '{column}' maps to '{field}', which {kind.ToString().ToLowerInvariant()} do not have (fields: {string.Join(", ", known)}, attributes.NAME, ignore).");
            if (field.StartsWith(ImportFields.AttributePrefix, StringComparison.Ordinal) && kind != ImportKind.Customers)
                throw new ImportFileException($"line 1: column '{column}' maps to an attribute; only customers keep attributes.");
            if (_slotOf.ContainsKey(field)) throw new ImportFileException($"line 1: two columns map to '{field}' (the second is '{column}').");
            _slotOf[field] = _slots.Count;
            if (field.StartsWith(ImportFields.AttributePrefix, StringComparison.Ordinal)) _slotOf.TryAdd(field[ImportFields.AttributePrefix.Length..], _slots.Count);
            _slots.Add(new Slot(field, i, column));
        }
        if (unmapped.Count > 0 && mapping.Unmapped == "reject")
            throw new ImportFileException($"line 1: columns that map to no field: {string.Join(", ", unmapped)} (the mapping says unmapped: reject).");
        Unmapped = unmapped;
        foreach (var required in ImportFields.Required(kind))
        {
            if (!_slotOf.ContainsKey(required) && !mapping.Defaults.ContainsKey(required))
                throw new ImportFileException($"line 1: no column maps to the required field '{required}' (columns: {string.Join(", ", columns.Take(30))}); give a mapping with --map.");
        }
        foreach (var (name, rule) in mapping.Cleaning.Missing) SlotFor(name, "missing").MissingRule = rule.Trim();
        foreach (var (name, rule) in mapping.Cleaning.Outliers) { var s = SlotFor(name, "outliers"); s.Outlier = rule; s.Numeric = true; }
        foreach (var name in mapping.Cleaning.Standardise) { var s = SlotFor(name, "standardise"); s.Standardise = true; s.Numeric = true; }
        foreach (var slot in _slots)
        {
            if (slot.MissingRule is "mean" or "median" or "mode") slot.Numeric = true;
            if (slot.Numeric || slot.Outlier is not null || slot.Standardise) slot.Values = [];
        }
    }

    /// <summary>Columns that map to no field (kept as attributes of customers, otherwise ignored).</summary>
    public IReadOnlyList<string> Unmapped { get; }

    /// <summary>Column → field, for the report and the wizard.</summary>
    public IEnumerable<(string Column, string Field)> Uses => _slots.Select(s => (s.ColumnName, s.Field));

    public int SlotCount => _slots.Count;

    /// <summary>Rows seen in the first pass (to size the duplicate matcher before the second).</summary>
    public long Rows { get; private set; }
    public int? SlotOf(string field) => _slotOf.TryGetValue(field, out var slot) ? slot : null;
    public string FieldOf(int slot) => _slots[slot].Field;
    public string AttributeName(int slot) => _slots[slot].Name;
    public bool IsAttribute(int slot) => _slots[slot].IsAttribute;
    public bool IsNumeric(int slot) => _slots[slot].Numeric || (_slots[slot].Filled > 0 && _slots[slot].NumericCount == _slots[slot].Filled);
    public string ColumnOf(int slot) => _slots[slot].ColumnName;
    public IEnumerable<int> StandardisedSlots => Enumerable.Range(0, _slots.Count).Where(i => _slots[i].Standardise);

    private Slot SlotFor(string name, string section) =>
        _slotOf.TryGetValue(name, out var slot) ? _slots[slot]
            : throw new ImportFileException($"mapping, cleaning.{section}: no column or field named '{name}' (columns mapped: {string.Join(", ", _slots.Select(s => s.ColumnName))}).");

    /// <summary>First pass: how full each column is, and the numbers of the columns that missing-value, outlier and standardisation rules need.</summary>
    public void Observe(RawRow row)
    {
        Rows++;
        if (row.Problem is not null) return;
        foreach (var slot in _slots)
        {
            var value = slot.Column < row.Fields.Length ? _cleaning.Value(row.Fields[slot.Column]) : null;
            if (value is null) { slot.Empty++; continue; }
            slot.Filled++;
            if (Cleaning.Number(value) is { } number)
            {
                slot.NumericCount++;
                slot.Values?.Add(number);
            }
        }
    }

    /// <summary>After the first pass: fill values, outlier fences and spreads from the gathered numbers.</summary>
    public void Conclude(Dictionary<string, long> steps)
    {
        foreach (var slot in _slots)
        {
            if (slot.Values is not { Count: > 0 } values) continue;
            var sorted = values.ToArray();
            Array.Sort(sorted);
            slot.Fill = slot.MissingRule switch
            {
                "mean" => ColumnStatistics.MeanAndDeviation(sorted).Mean,
                "median" => ColumnStatistics.Quantile(sorted, 0.5),
                "mode" => ColumnStatistics.Mode(sorted),
                _ => null,
            };
            if (slot.Outlier is { } rule)
            {
                slot.Fences = rule.Method.ToLowerInvariant() switch
                {
                    "iqr" => ColumnStatistics.Iqr(sorted, rule.K ?? 1.5),
                    "robustz" or "robust-z" or "mad" => ColumnStatistics.RobustZ(sorted, rule.K ?? 3.5),
                    "range" => new Fences(double.NegativeInfinity, double.PositiveInfinity),
                    _ => throw new ImportFileException($"mapping, cleaning.outliers.{slot.Name}: method '{rule.Method}' is not iqr, robustz or range."),
                };
                if (rule.Min is { } min || rule.Max is not null)
                    slot.Fences = new Fences(Math.Max(slot.Fences.Value.Low, rule.Min ?? double.NegativeInfinity), Math.Min(slot.Fences.Value.High, rule.Max ?? double.PositiveInfinity));
                steps[$"outlier fences of {slot.Name}: {slot.Fences.Value.Low:0.###} to {slot.Fences.Value.High:0.###}"] = 0;
            }
            if (slot.Standardise) slot.Spread = ColumnStatistics.MeanAndDeviation(sorted);
            slot.Values = null;
        }
    }

    /// <summary>
    /// The cleaned values of one row (one per slot), the findings, and whether the row must be rejected. Counts of each cleaning
    /// step go to <paramref name="steps"/>.
    /// </summary>
    public (string?[] Values, bool Reject) Clean(RawRow row, List<Finding> findings, Dictionary<string, long> steps)
    {
        var values = new string?[_slots.Count];
        var reject = false;
        for (var i = 0; i < _slots.Count; i++)
        {
            var slot = _slots[i];
            var raw = slot.Column < row.Fields.Length ? row.Fields[slot.Column] : null;
            var value = _cleaning.Value(raw);
            if (value is not null && TextSource.FirstControl(value) is var control and >= 0)
            {
                findings.Add(new Finding(slot.ColumnName, Printable(value), ProblemAction.Rejected, $"control character U+{(int)value[control]:X4} at position {control + 1}: binary data?"));
                reject = true;
                continue;
            }
            var coerced = false;
            if (value is not null)
            {
                value = Typed(slot, value, findings, steps, ref reject);
                coerced = value is null;
            }
            if (value is null)
            {
                value = Missing(slot, raw, findings, steps, ref reject, alreadyReported: coerced);
            }
            else if (slot.Numeric && Cleaning.Number(value) is { } number && slot.Outlier is { } rule && slot.Fences is { } fences && fences.IsOutside(number))
            {
                var reason = $"outlier: {number.ToString(CultureInfo.InvariantCulture)} is outside {fences.Low:0.###}..{fences.High:0.###} ({rule.Method})";
                switch (rule.Action.ToLowerInvariant())
                {
                    case "reject":
                        findings.Add(new Finding(slot.ColumnName, value, ProblemAction.Rejected, reason));
                        reject = true;
                        break;
                    case "clip":
                        var clipped = fences.Clip(number);
                        findings.Add(new Finding(slot.ColumnName, value, ProblemAction.Altered, $"{reason}; clipped to {clipped:0.###}"));
                        value = clipped.ToString("R", CultureInfo.InvariantCulture);
                        break;
                    default:
                        findings.Add(new Finding(slot.ColumnName, value, ProblemAction.Flagged, reason));
                        break;
                }
                Count(steps, $"outliers in {slot.Name} ({rule.Action})");
            }
            values[i] = value;
        }
        foreach (var field in ImportFields.Required(_kind))
        {
            if (_slotOf.TryGetValue(field, out var slot) && values[slot] is null && !_mapping.Defaults.ContainsKey(field) && !reject)
            {
                findings.Add(new Finding(_slots[slot].ColumnName, null, ProblemAction.Rejected, $"no value for the required field '{field}'"));
                reject = true;
            }
        }
        return (values, reject);
    }

    /// <summary>The z-score of a standardised slot's value, or null.</summary>
    public double? ZScore(int slot, string? value)
    {
        if (_slots[slot].Spread is not { } spread || value is null || Cleaning.Number(value) is not { } number || spread.Deviation <= 0) return null;
        return Math.Round((number - spread.Mean) / spread.Deviation, 6);
    }

    private string? Typed(Slot slot, string value, List<Finding> findings, Dictionary<string, long> steps, ref bool reject)
    {
        var field = slot.Field;
        string? clean;
        string? problem;
        if (field == "email")
        {
            clean = Cleaning.Email(value, out problem);
            if (clean is not null && clean != value) Count(steps, "emails normalised");
        }
        else if (field == "phone")
        {
            clean = _cleaning.Phone(value, out problem);
            if (clean is not null && clean != value) Count(steps, "phones to E.164");
        }
        else if (field == "country")
        {
            clean = Cleaning.Country(value, out problem);
            if (clean is not null && clean != value) Count(steps, "countries to ISO codes");
        }
        else if (NameFields.Contains(field) && _kind is ImportKind.Customers or ImportKind.Contacts)
        {
            clean = _cleaning.Name(value);
            problem = null;
            if (clean != value)
            {
                Count(steps, "names recased or respaced");
                findings.Add(new Finding(slot.ColumnName, value, ProblemAction.Altered, $"name written as '{clean}'"));
            }
        }
        else if (DateFields.Contains(field))
        {
            var date = _cleaning.Date(value, out problem);
            clean = date?.ToString("O", CultureInfo.InvariantCulture);
            if (date is not null) Count(steps, "dates to UTC");
        }
        else if (NumberFields.Contains(field) || slot.Numeric)
        {
            var number = Cleaning.Number(value);
            clean = number?.ToString("R", CultureInfo.InvariantCulture);
            problem = number is null ? "not a number" : null;
        }
        else
        {
            return value;
        }
        if (problem is not null)
        {
            if (ImportFields.Required(_kind).Contains(field))
            {
                findings.Add(new Finding(slot.ColumnName, Printable(value), ProblemAction.Rejected, problem));
                reject = true;
            }
            else
            {
                findings.Add(new Finding(slot.ColumnName, Printable(value), ProblemAction.Altered, problem));
            }
            Count(steps, $"{slot.Name}: {problem}");
        }
        return clean;
    }

    private string? Missing(Slot slot, string? raw, List<Finding> findings, Dictionary<string, long> steps, ref bool reject, bool alreadyReported)
    {
        var rule = slot.MissingRule;
        // A value the cleaning had to leave out is reported once, as such; a fill rule still applies to it.
        if (alreadyReported && rule is null or "leave") return null;
        if (rule is null)
        {
            // A blank in a column that is mostly filled is worth a look (telco's blank TotalCharges); optional columns stay quiet.
            if (!_mapping.Cleaning.ReportMissing || slot.Filled == 0 || slot.Empty * 2 >= slot.Filled + slot.Empty) return null;
            rule = "leave";
        }
        var shown = string.IsNullOrWhiteSpace(raw) ? null : raw;
        switch (rule.ToLowerInvariant())
        {
            case "ignore":
                return null;
            case "reject":
                findings.Add(new Finding(slot.ColumnName, shown, ProblemAction.Rejected, "missing value"));
                reject = true;
                Count(steps, $"missing {slot.Name}: rejected");
                return null;
            case "mean" or "median" or "mode":
                if (slot.Fill is not { } fill) return null;
                var filled = Math.Round(fill, 6).ToString("R", CultureInfo.InvariantCulture);
                findings.Add(new Finding(slot.ColumnName, shown, ProblemAction.Altered, $"missing value; filled with the {rule} {filled}"));
                Count(steps, $"missing {slot.Name}: filled with the {rule}");
                return filled;
            case "leave":
                findings.Add(new Finding(slot.ColumnName, shown, ProblemAction.Flagged, "missing value"));
                Count(steps, $"missing {slot.Name}: left empty");
                return null;
            default:
                if (rule.StartsWith("default:", StringComparison.OrdinalIgnoreCase))
                {
                    var constant = rule["default:".Length..].Trim();
                    findings.Add(new Finding(slot.ColumnName, shown, ProblemAction.Altered, $"missing value; filled with the default {constant}"));
                    Count(steps, $"missing {slot.Name}: default");
                    return constant;
                }
                throw new ImportFileException($"mapping, cleaning.missing.{slot.Name}: '{rule}' is not leave, ignore, reject, mean, median, mode or default:VALUE.");
        }
    }

    internal static void Count(Dictionary<string, long> steps, string step) =>
        steps[step] = steps.TryGetValue(step, out var n) ? n + 1 : 1;

    /// <summary>A value as the report shows it: at most 200 characters, control characters and half surrogate pairs as \uXXXX.</summary>
    internal static string? Printable(string? value)
    {
        if (value is null) return null;
        var text = value.Length > 200 ? Records.InputText.Cut(value, 200) + "…" : value;
        if (Records.InputText.Problem(text) is null) return text;
        var builder = new System.Text.StringBuilder(text.Length + 16);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) builder.Append(c).Append(text[++i]);
            else if ((c < ' ' && c is not ('\t' or '\r' or '\n')) || char.IsSurrogate(c)) builder.Append(string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}"));
            else builder.Append(c);
        }
        return builder.ToString();
    }
}
