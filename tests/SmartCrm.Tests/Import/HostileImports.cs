using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace SmartCrm.Tests.Import;

/// <summary>Generators of what a careless or hostile client sends an import: mappings, CSV and JSON-lines files.</summary>
public static class HostileImports
{
    private static readonly string[] Sections =
        ["source", "header", "delimiter", "encoding", "skuPrefix", "unmapped", "columns", "defaults", "cleaning", "duplicates", "phoneRegion", "timeZone",
         "dateFormats", "dayFirst", "missing", "outliers", "standardise", "missingMarkers", "method", "k", "min", "max", "action", "detect", "autoMerge",
         "review", "survivorship", "sourcePriority", "name", "email", "customer", "sku", "price", "score", "age", "1", "2", "nope"];

    private static readonly string[] Scalars =
        ["x", "42", "-1", "1e400", "0.5", "true", "false", "~", "null", "\"\"", "''", "tab", "\";\"", "\"\\0\"", "\"\\ud800\"", "\"\\x01\"", "utf-16", "gb18030", "nope-enc",
         "Europe/Berlin", "Mars/Olympus", "US", "XX", "iqr", "robustz", "bogus", "reject", "clip", "median", "default:x", "attributes.a", "ignore", "name", "email",
         "sku", "score", "dd.MM.yyyy", "\"\"", "!!binary aGVsbG8=", "!!python/object:os.system x", "*undefined", "&anchor x", "[a, b]", "{a: b}", "[[[[[[[[[[x]]]]]]]]]]",
         "'" + new string('y', 5000) + "'", "2147483648", ".inf", ".nan"];

    private static Gen<string> Node(int depth, int indent)
    {
        var scalar = Gen.Elements(Scalars);
        if (depth == 0) return scalar;
        var pad = new string(' ', indent);
        var mapping = Gen.Elements(Sections).Zip(Node(depth - 1, indent + 2)).ArrayOf()
            .Select(pairs => string.Concat(pairs.Select(p => p.Item2.StartsWith('\n') ? $"\n{pad}{p.Item1}:{p.Item2}" : $"\n{pad}{p.Item1}: {p.Item2}")));
        var list = Node(depth - 1, indent + 2).ArrayOf().Select(items => string.Concat(items.Select(i => i.StartsWith('\n') ? $"\n{pad}-{i}" : $"\n{pad}- {i}")));
        return Gen.OneOf(scalar, scalar, mapping, list);
    }

    /// <summary>YAML that is mostly shaped like a mapping, with wrong types, bad values and YAML's own features in places.</summary>
    public static Gen<string> Mapping() => Gen.OneOf(
        Node(4, 0).Select(n => n.TrimStart('\n')),
        Gen.Elements(Scalars),
        Gen.Elements("", "---\n---\n", "a: &a [1]\nb: *a\n", "? [complex]\n: key\n", "%YAML 1.1\n---\nx: 1", "source: a\nsource: b\n", "columns:\n  ~: name\n",
            "cleaning:\n  dateFormats: [~, '']\n", "cleaning:\n  outliers:\n    age: ~\n", "cleaning:\n  standardise: [~]\n", "defaults: {createdAt: yesterday, score: high, price: 1e30}\n",
            "cleaning:\n  missing: {age: median}\n  outliers: {age: {method: range, min: 5, max: 1}}\n", "columns: {name: lines}\n", "duplicates: {autoMerge: -5, review: .nan}\n"));

    private static readonly string[] Cells =
        ["", "x", "Ada Lovelace", "ada@example.com", "+1 415 555 0100", "42", "-1", "1e308", "1e400", "NaN", "Infinity", "$1,000.00", "12%", "2024-02-30", "31/12/1999",
         "1700000000", "9999999999999", "\"quoted, with comma\"", "\"unclosed", "a\"b", "\"\"\"\"", "\0", "a\u0001b", "\ud83d\ude00", "\uD800", "\uDC00x", "\uFEFF", "\r", "\t",
         "=cmd|' /C calc'!A0", "[{\"sku\":\"A\",\"quantity\":1e9}]", "[1,2", "{\"a\":", "DE", "Deutschland", "th-100", "milk", "NA", new string('z', 3000)];

    private static readonly string[] Headers =
        ["name", "email", "phone", "customer", "sku", "price", "score", "quantity", "lines", "orderId", "createdAt", "country", "tags", "subject", "externalId", "kind",
         "unitPrice", "ratedAt", "items", "x", "", "\0", "名称"];

    /// <summary>A CSV file: a header of field names (or none), rows of hostile cells, any of the usual delimiters.</summary>
    public static Gen<string> Csv() =>
        from delimiter in Gen.Elements(",", ";", "\t", "|")
        from header in Gen.Elements(Headers).ArrayOf()
        from rows in Gen.Elements(Cells).ArrayOf().ArrayOf()
        from ending in Gen.Elements("\n", "\r\n", "\r", "")
        select string.Join(delimiter, header) + "\n" + string.Join("\n", rows.Select(r => string.Join(delimiter, r))) + ending;

    /// <summary>JSON lines: objects with hostile values, and lines that are no object at all.</summary>
    public static Gen<string> JsonLines() =>
        from lines in Gen.OneOf(
            from keys in Gen.Elements(Headers.Where(h => h != "\0").Append("\\ud800").Append("a\\u0000")).ArrayOf()
            from values in Gen.Elements("null", "true", "1e400", "-0", "\"\\ud800\"", "\"\\u0000\"", "\"Ada\"", "\"ada@example.com\"", "[{\"sku\":\"x\"}]", "{}", "[]", "\"\\uDFFF\\uD800\"", "12345678901234567890")
                .ArrayOf(keys.Length)
            select "{" + string.Join(',', keys.Zip(values, (k, v) => $"\"{k}\":{v}")) + "}",
            Gen.Elements("", "[1]", "\"x\"", "{", "{\"a\":1}}", "{\"a\":" + new string('[', 200) + "}", "nul\0l")).ArrayOf()
        select string.Join("\n", lines);

    public static Gen<string> File() => Gen.OneOf(Csv(), JsonLines());

    public static Gen<string> Kind() => Gen.Elements("customers", "contacts", "products", "orders", "interactions", "ratings", "baskets");
}
