using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace SmartCrm.Import;

/// <summary>
/// How a file's columns become records and how they are cleaned: the `--map mapping.yaml` file, a built-in mapping by name
/// (`--map telco-churn`), or the suggestions made from the column names.
/// </summary>
public sealed class ImportMapping
{
    /// <summary>Source system the file comes from; it qualifies external ids. Defaults to the file name.</summary>
    public string? Source { get; set; }
    public bool? Header { get; set; }
    public string? Delimiter { get; set; }
    public string? Encoding { get; set; }
    /// <summary>File column (name, or 1-based position for files without a header) → field (`name`, `email`, `attributes.tenure`, `ignore`).</summary>
    public Dictionary<string, string> Columns { get; set; } = [];
    /// <summary>Field → constant for fields no column supplies (a product kind, a customer kind).</summary>
    public Dictionary<string, string> Defaults { get; set; } = [];
    /// <summary>Prefix put before product codes (SKUs) from this source, so two catalogues' "1" stay apart.</summary>
    public string? SkuPrefix { get; set; }
    /// <summary>Columns that map to nothing: `attribute` (kept with the customer's source), `ignore`, or `reject` (the file).</summary>
    public string Unmapped { get; set; } = "attribute";
    public CleaningRules Cleaning { get; set; } = new();
    public DuplicateRules Duplicates { get; set; } = new();

    private static readonly IDeserializer Reader = new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).Build();
    private static readonly ISerializer Writer = new SerializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance)
        .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull | DefaultValuesHandling.OmitEmptyCollections).Build();

    /// <summary>Longest mapping text: the largest built-in one is under 2 KB.</summary>
    public const int MaxYamlLength = 64 * 1024;

    /// <summary>Deepest nesting a mapping needs is four (cleaning → outliers → column → rule); a little room beyond.</summary>
    public const int MaxYamlDepth = 8;

    private const int MaxYamlNodes = 10_000;

    /// <summary>
    /// A mapping from YAML text. The text is walked as events before it is bound (size, nesting, node count, no aliases, every
    /// string valid text, a mapping at the top), so no input can make the binder recurse or expand without bound; what binds
    /// wrongly (a scalar where a section belongs) is reported with its line. <paramref name="field"/> names the request field.
    /// </summary>
    /// <remarks>
    /// Not called Parse: YamlDotNet converts a scalar to a type through that type's static Parse(string), so a mapping that is a
    /// bare value called back into this method until the stack overflowed.
    /// </remarks>
    public static ImportMapping FromYaml(string yaml, string field = "mapping")
    {
        if (yaml.Length > MaxYamlLength)
            throw new ImportFileException($"{field}: longer than {MaxYamlLength:N0} characters; a mapping is a few lines of YAML.", field);
        try
        {
            if (!Inspect(yaml, field)) return new ImportMapping();
            var mapping = Reader.Deserialize<ImportMapping?>(yaml) ?? new ImportMapping();
            mapping.FillEmptySections();
            mapping.CheckBounds(field);
            return mapping;
        }
        catch (YamlException e)
        {
            var reason = e.InnerException?.Message ?? e.Message;
            throw new ImportFileException($"{field} line {e.Start.Line}: {Shorten(reason)}", field);
        }
    }

    /// <summary>Walks the events; false for an empty document.</summary>
    private static bool Inspect(string yaml, string field)
    {
        var parser = new Parser(new StringReader(yaml));
        var depth = 0;
        var nodes = 0;
        var documents = 0;
        var first = true;
        while (parser.MoveNext())
        {
            var current = parser.Current!;
            switch (current)
            {
                case DocumentStart:
                    if (++documents > 1) throw Refused(field, current, "one YAML document only");
                    break;
                case AnchorAlias:
                    throw Refused(field, current, "aliases (*name) are not allowed in a mapping");
                case MappingStart or SequenceStart:
                    if (first && current is SequenceStart) throw Refused(field, current, "a mapping is a set of key: value lines, not a list");
                    if (++depth > MaxYamlDepth) throw Refused(field, current, $"nested deeper than {MaxYamlDepth} levels");
                    break;
                case MappingEnd or SequenceEnd:
                    depth--;
                    break;
                case Scalar scalar:
                    if (first) throw Refused(field, current, $"a mapping is a set of key: value lines (such as \"source: shop\"), not a single value");
                    if (SmartCrm.Records.InputText.Problem(scalar.Value) is { } problem) throw Refused(field, current, problem);
                    break;
            }
            if (current is MappingStart or SequenceStart or Scalar)
            {
                first = false;
                if (++nodes > MaxYamlNodes) throw Refused(field, current, $"more than {MaxYamlNodes:N0} values");
            }
        }
        return !first;
    }

    private static ImportFileException Refused(string field, ParsingEvent at, string reason) => new($"{field} line {at.Start.Line}: {reason}.", field);

    private static string Shorten(string reason) => reason.Length <= 300 ? reason : reason[..300] + "…";

    /// <summary>A section written empty (`cleaning:` with nothing under it) binds as null; it means the defaults.</summary>
    private void FillEmptySections()
    {
        var defaults = new ImportMapping();
        Columns ??= [];
        Defaults ??= [];
        Unmapped ??= defaults.Unmapped;
        Cleaning ??= new CleaningRules();
        Duplicates ??= new DuplicateRules();
        Cleaning.PhoneRegion ??= defaults.Cleaning.PhoneRegion;
        Cleaning.TimeZone ??= defaults.Cleaning.TimeZone;
        Cleaning.DateFormats ??= [];
        Cleaning.MissingMarkers ??= defaults.Cleaning.MissingMarkers;
        Cleaning.Missing ??= [];
        Cleaning.Outliers ??= [];
        Cleaning.Standardise ??= [];
        Duplicates.Survivorship ??= defaults.Duplicates.Survivorship;
        Duplicates.SourcePriority ??= [];
        foreach (var rule in Cleaning.Outliers.Values)
        {
            if (rule is null) continue;
            rule.Method ??= "iqr";
            rule.Action ??= "flag";
        }
    }

    /// <summary>Counts a mapping may have: far more than any file needs, few enough that none costs the server anything.</summary>
    private void CheckBounds(string field)
    {
        void Check(bool ok, string what)
        {
            if (!ok) throw new ImportFileException($"{field}: {what}.", field);
        }
        Check(Columns.Count <= TextSource.MaxColumns, $"more than {TextSource.MaxColumns:N0} columns");
        Check(Defaults.Count <= 100 && Cleaning.Missing.Count <= TextSource.MaxColumns && Cleaning.Outliers.Count <= TextSource.MaxColumns
            && Cleaning.Standardise.Count <= TextSource.MaxColumns, "more rules than the file can have columns");
        Check(Cleaning.DateFormats.Count <= 20 && Cleaning.DateFormats.All(f => f is { Length: > 0 and <= 100 }), "dateFormats: at most 20 formats of 1 to 100 characters");
        Check(Cleaning.MissingMarkers.Count <= 100 && Cleaning.MissingMarkers.All(m => m is { Length: <= 100 }), "missingMarkers: at most 100 markers of up to 100 characters");
        Check(Duplicates.SourcePriority.Count <= 100, "duplicates.sourcePriority: at most 100 systems");
        Check(Source is null or { Length: <= 100 }, "source: at most 100 characters");
        Check(SkuPrefix is null or { Length: <= 20 }, "skuPrefix: at most 20 characters");
        Check(Columns.All(c => c.Key.Length <= 200 && c.Value is { Length: <= 200 }), "columns: names and fields of at most 200 characters");
        Check(Defaults.All(d => d.Key.Length <= 100 && d.Value is { Length: <= 200 }), "defaults: values of at most 200 characters");
        Check(Cleaning.Missing.All(m => m.Value is { Length: <= 200 }) && Cleaning.Outliers.All(o => o.Value is not null)
            && Cleaning.Standardise.All(c => c is { Length: <= 200 }), "cleaning: every rule needs a value");
        Check(Duplicates.SourcePriority.All(p => p is { Length: <= 100 }), "duplicates.sourcePriority: names of at most 100 characters");
        Check(Cleaning.PhoneRegion is not null && Cleaning.TimeZone is not null && Unmapped is not null && Duplicates.Survivorship is not null, "a setting is empty");
    }

    public string ToYaml() => Writer.Serialize(this);

    /// <summary>A mapping file's path, or the name of a built-in one (telco-churn, teen-sns, movielens-users, …). For the operator's command line only.</summary>
    public static ImportMapping Load(string pathOrName)
    {
        if (File.Exists(pathOrName)) return FromYaml(File.ReadAllText(pathOrName), "--map");
        return Named(pathOrName, "--map");
    }

    /// <summary>
    /// A built-in mapping by name: what an API client or the console may refer to. Never a path: the server opens no file a
    /// client names.
    /// </summary>
    public static ImportMapping Named(string name, string field = "map")
    {
        var known = BuiltIn().FirstOrDefault(n => string.Equals(n, name, StringComparison.Ordinal));
        if (known is null)
            throw new ImportFileException($"{field}: no built-in mapping of that name (built in: {string.Join(", ", BuiltIn())}); send a mapping's text in the field 'mapping'.", field);
        using var stream = typeof(ImportMapping).Assembly.GetManifestResourceStream($"SmartCrm.Import.Mappings.{known}.yaml")!;
        using var reader = new StreamReader(stream);
        return FromYaml(reader.ReadToEnd(), field);
    }

    public static IEnumerable<string> BuiltIn() =>
        typeof(ImportMapping).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("SmartCrm.Import.Mappings.", StringComparison.Ordinal))
            .Select(n => n["SmartCrm.Import.Mappings.".Length..^".yaml".Length]).Order(StringComparer.Ordinal);
}

public sealed class CleaningRules
{
    /// <summary>Region of phone numbers written without a country code (ISO 3166, e.g. US, GB, CN).</summary>
    public string PhoneRegion { get; set; } = "US";
    /// <summary>Time zone of dates written without an offset (IANA or Windows id).</summary>
    public string TimeZone { get; set; } = "UTC";
    /// <summary>Formats tried before the common ones (.NET custom format strings, e.g. dd-MMM-yyyy).</summary>
    public List<string> DateFormats { get; set; } = [];
    /// <summary>Whether 03/04/2024 is the 3rd of April (true) or March 4th (false).</summary>
    public bool DayFirst { get; set; }
    /// <summary>Names in all capitals or all lower case get proper case.</summary>
    public bool NameCase { get; set; } = true;
    /// <summary>Values that mean "no value".</summary>
    public List<string> MissingMarkers { get; set; } = ["NA", "N/A", "null", "NULL", "None", "-", "?"];
    /// <summary>Field or attribute → leave (report it), ignore, reject, mean, median, mode, or default:VALUE.</summary>
    public Dictionary<string, string> Missing { get; set; } = [];
    public Dictionary<string, OutlierRule> Outliers { get; set; } = [];
    /// <summary>Numeric attributes that also get a z-score attribute (NAME_z) for analysis.</summary>
    public List<string> Standardise { get; set; } = [];
    /// <summary>Whether missing values in columns that are mostly filled are reported even without a rule (as leave).</summary>
    public bool ReportMissing { get; set; } = true;
}

public sealed class OutlierRule
{
    /// <summary>iqr (Tukey's fences), robustz (modified z-score) or range (only min/max).</summary>
    public string Method { get; set; } = "iqr";
    /// <summary>IQR multiple (default 1.5) or z-score threshold (default 3.5).</summary>
    public double? K { get; set; }
    /// <summary>Plausible range: values outside it are impossible, whatever the statistics say.</summary>
    public double? Min { get; set; }
    public double? Max { get; set; }
    /// <summary>flag (report and keep), clip (to the fence), or reject (the row).</summary>
    public string Action { get; set; } = "flag";
}

public sealed class DuplicateRules
{
    public bool Detect { get; set; } = true;
    /// <summary>Score from which a row is merged into the customer it matches without asking.</summary>
    public double AutoMerge { get; set; } = 0.9;
    /// <summary>Score from which a pair goes to the review queue.</summary>
    public double Review { get; set; } = 0.75;
    /// <summary>newest, mostComplete or sourcePriority: whose values win when records are merged.</summary>
    public string Survivorship { get; set; } = "newest";
    public List<string> SourcePriority { get; set; } = [];
}

/// <summary>The fields each kind of record has, and the column names that suggest them.</summary>
public static class ImportFields
{
    public const string Ignore = "ignore";
    public const string AttributePrefix = "attributes.";

    public static IReadOnlyList<string> For(ImportKind kind) => kind switch
    {
        ImportKind.Customers => ["externalId", "name", "firstName", "lastName", "kind", "email", "phone", "company", "country", "city", "address", "tags", "createdAt"],
        ImportKind.Contacts => ["customer", "name", "title", "email", "phone"],
        ImportKind.Products => ["sku", "name", "kind", "category", "price", "description"],
        ImportKind.Orders => ["orderId", "customer", "orderedAt", "status", "channel", "currency", "sku", "quantity", "unitPrice", "lines"],
        ImportKind.Interactions => ["customer", "channel", "direction", "subject", "body", "occurredAt", "agent"],
        ImportKind.Ratings => ["customer", "sku", "score", "ratedAt"],
        ImportKind.Baskets => ["items"],
        _ => [],
    };

    /// <summary>Fields without which a row is rejected.</summary>
    public static IReadOnlyList<string> Required(ImportKind kind) => kind switch
    {
        ImportKind.Contacts => ["customer", "name"],
        ImportKind.Products => ["sku", "name"],
        ImportKind.Orders => ["customer"],
        ImportKind.Interactions => ["customer", "subject"],
        ImportKind.Ratings => ["customer", "sku", "score"],
        _ => [],
    };

    private static readonly Dictionary<string, string[]> Synonyms = new(StringComparer.Ordinal)
    {
        ["externalId"] = ["id", "customerid", "customerno", "customernumber", "clientid", "userid", "accountid", "externalid", "客户编号", "客户id", "用户id"],
        ["name"] = ["name", "fullname", "customername", "customer", "client", "displayname", "姓名", "名称", "客户名称", "客户"],
        ["firstName"] = ["firstname", "givenname", "forename", "first", "名"],
        ["lastName"] = ["lastname", "surname", "familyname", "last", "姓"],
        ["kind"] = ["kind", "type", "customertype"],
        ["email"] = ["email", "emailaddress", "mail", "邮箱", "电子邮件", "电子邮箱"],
        ["phone"] = ["phone", "phonenumber", "telephone", "tel", "mobile", "cell", "mobilephone", "电话", "手机", "手机号", "联系电话"],
        ["company"] = ["company", "organisation", "organization", "employer", "公司", "单位"],
        ["country"] = ["country", "countrycode", "nation", "国家"],
        ["city"] = ["city", "town", "城市"],
        ["address"] = ["address", "street", "streetaddress", "address1", "地址"],
        ["tags"] = ["tags", "labels", "标签"],
        ["createdAt"] = ["createdat", "created", "signupdate", "since", "registered", "joined", "创建时间"],
        ["customer"] = ["customer", "customerid", "userid", "user", "client", "clientid", "客户", "客户编号"],
        ["title"] = ["title", "jobtitle", "position", "职位"],
        ["sku"] = ["sku", "productid", "itemid", "item", "product", "productcode", "商品编号"],
        ["category"] = ["category", "genre", "group", "类别"],
        ["price"] = ["price", "listprice", "unitprice", "价格"],
        ["description"] = ["description", "details", "描述"],
        ["orderId"] = ["orderid", "order", "invoice", "invoiceno", "ordernumber", "订单号"],
        ["orderedAt"] = ["orderedat", "orderdate", "date", "invoicedate", "purchasedate", "下单时间"],
        ["status"] = ["status", "state", "状态"],
        ["channel"] = ["channel", "source", "渠道"],
        ["currency"] = ["currency", "币种"],
        ["quantity"] = ["quantity", "qty", "count", "数量"],
        ["unitPrice"] = ["unitprice", "price", "单价"],
        ["lines"] = ["lines", "items", "orderlines"],
        ["direction"] = ["direction"],
        ["subject"] = ["subject", "summary", "topic", "主题"],
        ["body"] = ["body", "text", "message", "content", "内容"],
        ["occurredAt"] = ["occurredat", "date", "time", "timestamp", "at", "时间"],
        ["agent"] = ["agent", "owner", "rep"],
        ["score"] = ["score", "rating", "stars", "评分"],
        ["ratedAt"] = ["ratedat", "timestamp", "date", "time"],
    };

    /// <summary>The suggested field for a column name, or null (the column becomes an attribute or is ignored).</summary>
    public static string? Suggest(ImportKind kind, string column)
    {
        var key = new string([.. column.Where(char.IsLetterOrDigit)]).ToLower(CultureInfo.InvariantCulture);
        if (key.Length == 0) return null;
        foreach (var field in For(kind))
        {
            if (Synonyms.TryGetValue(field, out var names) && names.Contains(key)) return field;
        }
        return null;
    }
}
