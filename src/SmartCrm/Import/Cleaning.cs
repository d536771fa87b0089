using System.Globalization;
using System.Text;
using PhoneNumbers;

namespace SmartCrm.Import;

/// <summary>
/// Normalises one value at a time: emails, phones (E.164), names' case, countries (ISO 3166 alpha-2), dates (UTC), numbers.
/// Each method answers the clean value, or null with the reason it could not be cleaned.
/// </summary>
public sealed class Cleaning
{
    private static readonly PhoneNumberUtil Phones = PhoneNumberUtil.GetInstance();
    private static readonly Lazy<Dictionary<string, string>> CountryNames = new(BuildCountries);
    private static readonly string[] CommonFormats =
    [
        "yyyy-MM-dd", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-ddTHH:mm:ss.FFFFFFF", "yyyy/MM/dd", "yyyy/MM/dd HH:mm:ss",
        "yyyyMMdd", "dd-MMM-yyyy", "d-MMM-yyyy", "dd MMM yyyy", "d MMM yyyy", "MMM d, yyyy", "MMMM d, yyyy", "d MMMM yyyy", "yyyy年M月d日", "yyyy年M月d日 HH:mm:ss",
    ];
    private static readonly string[] MonthFirst = ["M/d/yyyy", "M/d/yyyy H:mm", "M/d/yyyy H:mm:ss", "M/d/yy", "M-d-yyyy"];
    private static readonly string[] DayFirstFormats = ["d/M/yyyy", "d/M/yyyy H:mm", "d/M/yyyy H:mm:ss", "d/M/yy", "d.M.yyyy", "d.M.yyyy H:mm", "d-M-yyyy"];

    private static readonly System.Buffers.SearchValues<char> NotInEmail = System.Buffers.SearchValues.Create(" ,;:()[]\\\"");
    private static readonly System.Buffers.SearchValues<char> NeedsQuotes = System.Buffers.SearchValues.Create(",\"\r\n");

    private readonly CleaningRules _rules;
    private readonly TimeZoneInfo _zone;
    private readonly string[] _formats;
    private readonly HashSet<string> _missing;

    public Cleaning(CleaningRules rules)
    {
        _rules = rules;
        try
        {
            _zone = TimeZoneInfo.FindSystemTimeZoneById(rules.TimeZone);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new ImportFileException($"mapping: unknown time zone '{rules.TimeZone}' (use an IANA name such as Europe/Berlin or Asia/Shanghai).");
        }
        if (!Phones.GetSupportedRegions().Contains(rules.PhoneRegion.ToUpperInvariant()))
            throw new ImportFileException($"mapping: unknown phone region '{rules.PhoneRegion}' (use a two-letter country code such as US, GB or CN).");
        _formats = [.. rules.DateFormats, .. CommonFormats, .. rules.DayFirst ? DayFirstFormats : MonthFirst, .. rules.DayFirst ? MonthFirst : DayFirstFormats];
        _missing = new HashSet<string>(rules.MissingMarkers, StringComparer.Ordinal);
    }

    /// <summary>Trimmed text, or null for blanks and the missing-value markers (NA, null, …).</summary>
    public string? Value(string? raw)
    {
        if (raw is null) return null;
        var trimmed = raw.AsSpan().Trim();
        if (trimmed.IsEmpty) return null;
        var text = trimmed.Length == raw.Length ? raw : trimmed.ToString();
        return _missing.Contains(text) ? null : text;
    }

    public static string? Email(string value, out string? problem)
    {
        problem = null;
        var email = value.Trim().Trim('<', '>').ToLowerInvariant();
        if (email.StartsWith("mailto:", StringComparison.Ordinal)) email = email[7..];
        var at = email.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at != email.LastIndexOf('@') || email.IndexOf('.', at) < at + 2 || email.EndsWith('.') || email.Length > 254
            || email.AsSpan().IndexOfAny(NotInEmail) >= 0)
        {
            problem = "not an email address; left out";
            return null;
        }
        return email;
    }

    /// <summary>E.164 ("+14155550100"); numbers without a country code are read in the default region.</summary>
    public string? Phone(string value, out string? problem)
    {
        problem = null;
        try
        {
            var text = value.StartsWith("00", StringComparison.Ordinal) ? "+" + value[2..] : value;
            var number = Phones.Parse(text, _rules.PhoneRegion.ToUpperInvariant());
            if (!Phones.IsPossibleNumber(number))
            {
                problem = $"not a possible phone number in region {_rules.PhoneRegion}; left out";
                return null;
            }
            return Phones.Format(number, PhoneNumberFormat.E164);
        }
        catch (NumberParseException)
        {
            problem = "not a phone number; left out";
            return null;
        }
    }

    /// <summary>Single spaces; ALL CAPS and all lower case become Proper Case (names in mixed case are left as written).</summary>
    public string Name(string value)
    {
        var collapsed = string.Join(' ', value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (!_rules.NameCase) return collapsed;
        bool upper = false, lower = false;
        foreach (var c in collapsed)
        {
            if (char.IsUpper(c)) upper = true;
            else if (char.IsLower(c)) lower = true;
        }
        if (upper == lower) return collapsed;
        return CultureInfo.InvariantCulture.TextInfo.ToTitleCase(collapsed.ToLowerInvariant());
    }

    /// <summary>ISO 3166 alpha-2 from a code (alpha-2 or alpha-3) or a country's English or native name.</summary>
    public static string? Country(string value, out string? problem)
    {
        problem = null;
        if (CountryNames.Value.TryGetValue(value.Trim().ToUpperInvariant(), out var code)) return code;
        problem = "not a country name or ISO code; left out";
        return null;
    }

    /// <summary>
    /// A date in the configured formats, ISO 8601 (with or without offset), common national forms, or Unix seconds; values
    /// without an offset are in the configured time zone. The answer is UTC.
    /// </summary>
    public DateTime? Date(string value, out string? problem)
    {
        problem = null;
        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && value.Length is 9 or 10 or 13)
        {
            return value.Length == 13 ? DateTime.UnixEpoch.AddMilliseconds(number) : DateTime.UnixEpoch.AddSeconds(number);
        }
        if (value.Length > 10 && (value.EndsWith('Z') || value[^6] is '+' or '-' && value[^3] == ':')
            && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var withOffset))
        {
            return withOffset.UtcDateTime;
        }
        if (DateTime.TryParseExact(value, _formats, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var local))
        {
            return TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), _zone);
        }
        problem = "not a date in a known format; left out";
        return null;
    }

    /// <summary>A number written with a dot for decimals, thousands separators, a currency sign or a percent sign.</summary>
    public static double? Number(string value)
    {
        var span = value.AsSpan().Trim().TrimStart("$€£¥").TrimEnd('%');
        if (double.TryParse(span, NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
            return number;
        return null;
    }

    /// <summary>
    /// A value made safe for a spreadsheet: a leading = + - @ (or tab, CR) would make Excel or LibreOffice run it as a formula
    /// (`=cmd|' /C calc'!A0`), so such values get a leading apostrophe (OWASP's advice for CSV injection).
    /// </summary>
    public static string SpreadsheetSafe(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        return value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;
    }

    /// <summary>One CSV field, quoted when it must be, and spreadsheet-safe.</summary>
    public static string CsvField(string? value)
    {
        var safe = SpreadsheetSafe(value);
        return safe.AsSpan().IndexOfAny(NeedsQuotes) >= 0 ? "\"" + safe.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : safe;
    }

    private static Dictionary<string, string> BuildCountries()
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var culture in CultureInfo.GetCultures(CultureTypes.SpecificCultures))
        {
            RegionInfo region;
            try
            {
                region = new RegionInfo(culture.Name);
            }
            catch (ArgumentException)
            {
                continue;
            }
            var code = region.TwoLetterISORegionName.ToUpperInvariant();
            if (code.Length != 2 || !char.IsAsciiLetter(code[0])) continue;
            foreach (var name in new[] { code, region.ThreeLetterISORegionName, region.EnglishName, region.NativeName, region.DisplayName })
            {
                if (!string.IsNullOrWhiteSpace(name)) names.TryAdd(name.ToUpperInvariant(), code);
            }
        }
        foreach (var (alias, code) in new[] { ("USA", "US"), ("UNITED STATES OF AMERICA", "US"), ("U.S.", "US"), ("U.S.A.", "US"), ("AMERICA", "US"), ("UK", "GB"), ("ENGLAND", "GB"), ("SCOTLAND", "GB"), ("WALES", "GB"), ("GREAT BRITAIN", "GB"), ("中国", "CN"), ("中华人民共和国", "CN"), ("PRC", "CN"), ("DEUTSCHLAND", "DE"), ("HOLLAND", "NL") })
            names.TryAdd(alias, code);
        return names;
    }

    /// <summary>A URL- and SKU-safe form of a name: lower case letters and digits joined by dashes, at most 40 characters.</summary>
    public static string Slug(string value, int max = 40)
    {
        var builder = new StringBuilder(value.Length);
        var dash = false;
        foreach (var c in value.ToLowerInvariant())
        {
            if (char.IsLetterOrDigit(c)) { builder.Append(c); dash = false; }
            else if (!dash && builder.Length > 0) { builder.Append('-'); dash = true; }
        }
        var slug = builder.ToString().TrimEnd('-');
        return slug.Length <= max ? slug : slug[..max];
    }
}
