using System.Text;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Storage;

namespace SmartCrm.Customers;

/// <summary>
/// Full-text search on names, emails and phones by word prefix ("smi" finds "Anna Smith"), through the
/// FTS5 table on SQLite and the GIN-indexed tsvector on PostgreSQL that the migrations create.
/// </summary>
public static class CustomerSearch
{
    public static IQueryable<Customer> Apply(IQueryable<Customer> query, string text, CrmDb db)
    {
        if (db.IsSqlite)
        {
            var ids = db.Database.SqlQuery<long>($"SELECT rowid AS \"Value\" FROM customer_search WHERE customer_search MATCH {SqliteMatch(text)}");
            return query.Where(c => ids.Contains(c.Id));
        }
        if (PostgresQuery(text) is not { } tsquery) return query.Where(c => false);
        var matches = db.Database.SqlQuery<long>(
            $"SELECT \"Id\" AS \"Value\" FROM customers WHERE customer_search @@ to_tsquery('simple', {tsquery})");
        return query.Where(c => matches.Contains(c.Id));
    }

    /// <summary>
    /// Only the first <paramref name="first"/> matches in id order: SQLite's index yields matches in rowid (= customer id) order
    /// and PostgreSQL can walk the primary key, so both stop there instead of collecting every match to be sorted.
    /// </summary>
    public static IQueryable<Customer> ApplyFirst(IQueryable<Customer> query, string text, int first, CrmDb db)
    {
        if (!db.IsSqlite && PostgresQuery(text) is null) return query.Where(c => false);
        var ids = db.IsSqlite
            ? db.Database.SqlQuery<long>(
                $"SELECT rowid AS \"Value\" FROM customer_search WHERE customer_search MATCH {SqliteMatch(text)} ORDER BY rowid LIMIT {first}")
            : db.Database.SqlQuery<long>(
                $"SELECT \"Id\" AS \"Value\" FROM customers WHERE customer_search @@ to_tsquery('simple', {PostgresQuery(text)}) ORDER BY \"Id\" LIMIT {first}");
        return query.Where(c => ids.Contains(c.Id));
    }

    /// <summary>
    /// How many customers a search alone matches, counted on the search index without joining the matches back to the
    /// customer rows (SQLite's triggers keep its index in step with the table; PostgreSQL's vector is a stored column):
    /// counting thousands of matches through the joined query costs several times more.
    /// </summary>
    public static async Task<int?> CountAsync(string text, CrmDb db, CancellationToken cancellationToken) =>
        db.IsSqlite
            ? await db.Database.SqlQuery<int>($"SELECT count(*) AS \"Value\" FROM customer_search WHERE customer_search MATCH {SqliteMatch(text)}").SingleAsync(cancellationToken)
            : PostgresQuery(text) is not { } tsquery ? 0
            : await db.Database.SqlQuery<int>($"SELECT count(*)::int AS \"Value\" FROM customers WHERE customer_search @@ to_tsquery('simple', {tsquery})").SingleAsync(cancellationToken);

    private static string SqliteMatch(string text)
    {
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var match = string.Join(" AND ", words.Select(w => "\"" + w.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"*"));
        return PhoneDigits(text) is { } phone ? $"({match}) OR digits:\"{phone}\"*" : match;
    }

    /// <summary>
    /// The tsquery for a search, each word a quoted prefix lexeme (so no character of it is tsquery syntax); null when no word
    /// has a letter or digit: an empty tsquery is a syntax error, and such a search matches nobody.
    /// </summary>
    private static string? PostgresQuery(string text)
    {
        var terms = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Select(Sanitise).Where(w => w.Length > 0).Select(w => "'" + w + "':*").ToList();
        if (terms.Count == 0) return null;
        if (PhoneDigits(text) is { } digits) terms = [$"({string.Join(" & ", terms)}) | '{digits}':*"];
        return string.Join(" & ", terms);
    }

    /// <summary>The digits of a search that looks like a phone number ("+1 (555) 010-0100"), matched against phones stored in any format.</summary>
    private static string? PhoneDigits(string text)
    {
        var builder = new StringBuilder();
        foreach (var c in text)
        {
            if (char.IsAsciiDigit(c)) builder.Append(c);
            else if (c is not (' ' or '-' or '(' or ')' or '+' or '.')) return null;
        }
        return builder.Length >= 3 ? builder.ToString() : null;
    }

    private static string Sanitise(string word)
    {
        var builder = new StringBuilder();
        foreach (var c in word) if (char.IsLetterOrDigit(c) || c is '@' or '.' or '_' or '-') builder.Append(char.ToLowerInvariant(c));
        return builder.ToString().Trim('.', '-');
    }
}
