using System.Globalization;
using YamlDotNet.Core;
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

    public static ImportMapping Parse(string yaml)
    {
        try
        {
            return Reader.Deserialize<ImportMapping?>(yaml) ?? new ImportMapping();
        }
        catch (YamlException e)
        {
            throw new ImportFileException($"mapping line {e.Start.Line}: {e.InnerException?.Message ?? e.Message}");
        }
    }

    public string ToYaml() => Writer.Serialize(this);

    /// <summary>A mapping file's path, or the name of a built-in one (telco-churn, teen-sns, movielens-users, …).</summary>
    public static ImportMapping Load(string pathOrName)
    {
        if (File.Exists(pathOrName)) return Parse(File.ReadAllText(pathOrName));
        using var stream = typeof(ImportMapping).Assembly.GetManifestResourceStream($"SmartCrm.Import.Mappings.{pathOrName}.yaml");
        if (stream is null)
            throw new ImportFileException($"No mapping file '{pathOrName}' and no built-in mapping of that name (built in: {string.Join(", ", BuiltIn())}).");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
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
