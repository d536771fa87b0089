using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using SmartCrm.Storage;

namespace SmartCrm.Bench.Import;

/// <summary>
/// The import benchmark of issue 5, in two steps around a timed `smartcrm import` run (so the figures are the CLI's own):
/// <code>
/// dotnet run -c Release --project bench/SmartCrm.Bench -- import generate DIR [existing=1000000] [rows=1000000]
/// /usr/bin/time -v dotnet src/SmartCrm/bin/Release/net10.0/smartcrm.dll import customers DIR/incoming.csv --data DIR/data --map DIR/mapping.yaml
/// dotnet run -c Release --project bench/SmartCrm.Bench -- import score DIR
/// </code>
/// `generate` fills a SQLite database with existing customers and writes a CSV of new rows, some of which are the same people
/// again (typos, swapped names, reformatted phones, changed or missing emails), with the truth in truth.csv; `score` reads what the
/// import did and prints recall and precision of the duplicate detection.
/// </summary>
public static class ImportBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 2) { Console.Error.WriteLine("usage: import generate|score DIR [existing] [rows]"); return 1; }
        var dir = Path.GetFullPath(args[1]);
        return args[0] switch
        {
            "generate" => await GenerateAsync(dir, args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1_000_000, args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 1_000_000),
            "score" => Score(dir),
            _ => 1,
        };
    }

    private static readonly string[] ParameterNames = ["$n", "$e", "$p", "$c", "$a", "$t"];
    private static readonly string[] Streets = ["Main St", "Oak Ave", "Pine Rd", "Maple Dr", "Cedar Ln", "Elm St", "Lake Rd", "Hill St", "Park Ave", "River Rd"];

    private sealed record Person(string First, string Last, string Email, string Phone, string City, string Address);

    private static async Task<int> GenerateAsync(string dir, int existing, int rows)
    {
        Directory.CreateDirectory(dir);
        var data = Path.Combine(dir, "data");
        if (Directory.Exists(data)) Directory.Delete(data, true);
        var watch = Stopwatch.StartNew();
        Migrator.Migrate(new StorageOptions { DataDirectory = data }, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var random = new Random(42);
        var faker = new Bogus.Faker("en") { Random = new Bogus.Randomizer(42) };
        var firsts = Enumerable.Range(0, 3000).Select(_ => faker.Name.FirstName()).Distinct().ToArray();
        var lasts = Enumerable.Range(0, 3000).Select(_ => faker.Name.LastName()).Distinct().ToArray();
        var cities = Enumerable.Range(0, 500).Select(_ => faker.Address.City()).Distinct().ToArray();
        var serial = 0;
        Person NewPerson()
        {
            var n = serial++;
            var first = firsts[random.Next(firsts.Length)];
            var last = lasts[random.Next(lasts.Length)];
            var area = 201 + n % 700;
            var number = 1_000_000 + n;
            return new Person(first, last, $"{first}.{last}.{n}@example.com".ToLowerInvariant(), $"+1{area}{number:D7}"[..12],
                cities[random.Next(cities.Length)], $"{random.Next(1, 9999)} {Streets[random.Next(Streets.Length)]}");
        }

        var people = new List<Person>(existing);
        var options = new StorageOptions { DataDirectory = data };
        using (var connection = new SqliteConnection(options.SqliteConnectionString))
        {
            connection.Open();
            using var transaction = connection.BeginTransaction();
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO customers (\"Kind\", \"Name\", \"Email\", \"Phone\", \"City\", \"Address\", \"Tags\", \"CreatedAt\", \"UpdatedAt\") VALUES ('Person', $n, $e, $p, $c, $a, '[]', $t, $t)";
            var p = ParameterNames.Select(name => insert.Parameters.Add(name, SqliteType.Text)).ToArray();
            var stamp = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
            for (var i = 0; i < existing; i++)
            {
                var person = NewPerson();
                people.Add(person);
                (p[0].Value, p[1].Value, p[2].Value, p[3].Value, p[4].Value, p[5].Value) = ($"{person.First} {person.Last}", person.Email, person.Phone, person.City, person.Address, stamp);
                insert.ExecuteNonQuery();
            }
            transaction.Commit();
        }
        Console.WriteLine($"{existing:N0} existing customers in {watch.Elapsed.TotalSeconds:F1} s");

        // Incoming: 10% the same people as existing customers, 2% the same people as earlier rows of the file, the rest new.
        var written = new List<Person>(rows);
        var truth = new StringBuilder("row,existing,earlier\n");
        await using (var csv = new StreamWriter(Path.Combine(dir, "incoming.csv"), false, new UTF8Encoding(false), 1 << 20))
        {
            await csv.WriteLineAsync("id,first_name,last_name,email,phone,city,address");
            for (var i = 0; i < rows; i++)
            {
                var roll = random.NextDouble();
                Person person, clean;
                string existingId = "", earlier = "";
                if (roll < 0.10 && existing > 0)
                {
                    var target = random.Next(existing);
                    clean = people[target];
                    person = Damage(clean, random);
                    existingId = (target + 1).ToString(CultureInfo.InvariantCulture);
                }
                else if (roll < 0.12 && written.Count > 0)
                {
                    var target = random.Next(written.Count);
                    clean = written[target];
                    person = Damage(clean, random);
                    earlier = (target + 1).ToString(CultureInfo.InvariantCulture);
                }
                else
                {
                    person = clean = NewPerson();
                }
                // Later duplicates are made from the clean record, as another system would have it.
                written.Add(clean);
                truth.Append(CultureInfo.InvariantCulture, $"{i + 1},{existingId},{earlier}\n");
                await csv.WriteLineAsync(string.Join(',', $"N{i + 1}", person.First, person.Last, person.Email, person.Phone, person.City, person.Address));
            }
        }
        await File.WriteAllTextAsync(Path.Combine(dir, "truth.csv"), truth.ToString());
        await File.WriteAllTextAsync(Path.Combine(dir, "existing.txt"), existing.ToString(CultureInfo.InvariantCulture));
        await File.WriteAllTextAsync(Path.Combine(dir, "mapping.yaml"), "source: bench\ncleaning:\n  reportMissing: false\n");
        Console.WriteLine($"{rows:N0} incoming rows written in {watch.Elapsed.TotalSeconds:F1} s: {Path.Combine(dir, "incoming.csv")}");
        return 0;
    }

    /// <summary>The same person as another system writes them: a typo or swapped name order, the phone in another format, the email changed in case or missing.</summary>
    private static Person Damage(Person p, Random random)
    {
        string first = p.First, last = p.Last;
        switch (random.Next(4))
        {
            case 0: last = Typo(last, random); break;
            case 1: first = Typo(first, random); break;
            case 2: (first, last) = (last + ",", first); break; // "Smith, John" in two columns turned round
            default: first = first.ToUpperInvariant(); last = last.ToUpperInvariant(); break;
        }
        var digits = p.Phone[2..];
        var phone = random.Next(4) switch
        {
            0 => $"({digits[..3]}) {digits[3..6]}-{digits[6..]}",
            1 => $"{digits[..3]}.{digits[3..6]}.{digits[6..]}",
            2 => $"+1 {digits[..3]} {digits[3..6]} {digits[6..]}",
            _ => "",
        };
        var email = random.Next(5) switch
        {
            0 or 1 or 2 => p.Email,
            3 => p.Email.ToUpperInvariant(),
            _ => "",
        };
        if (email.Length == 0 && phone.Length == 0) phone = p.Phone;
        return new Person(first.TrimEnd(','), last, email, phone, p.City, p.Address);
    }

    private static string Typo(string word, Random random)
    {
        if (word.Length < 4) return word + "e";
        var i = random.Next(1, word.Length - 1);
        return random.Next(3) switch
        {
            0 => word[..i] + word[i + 1] + word[i] + word[(i + 2)..],
            1 => word[..i] + word[(i + 1)..],
            _ => word[..i] + (char)('a' + random.Next(26)) + word[(i + 1)..],
        };
    }

    private static int Score(string dir)
    {
        var options = new StorageOptions { DataDirectory = Path.Combine(dir, "data") };
        using var connection = new SqliteConnection(options.SqliteConnectionString);
        connection.Open();
        var customerOf = new Dictionary<int, long>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT \"ExternalId\", \"CustomerId\" FROM customer_sources WHERE \"System\" = 'bench'";
            using var reader = command.ExecuteReader();
            while (reader.Read()) customerOf[int.Parse(reader.GetString(0)[1..], CultureInfo.InvariantCulture)] = reader.GetInt64(1);
        }
        var candidates = new HashSet<(long, long)>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT \"CustomerId\", \"OtherId\" FROM duplicate_candidates";
            using var reader = command.ExecuteReader();
            while (reader.Read()) candidates.Add((reader.GetInt64(0), reader.GetInt64(1)));
        }
        long duplicates = 0, merged = 0, mergedRight = 0, reviewRight = 0, reviewed;
        var truth = File.ReadLines(Path.Combine(dir, "truth.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        var expected = new Dictionary<int, long>();
        foreach (var t in truth)
        {
            var row = int.Parse(t[0], CultureInfo.InvariantCulture);
            if (t[1].Length > 0) expected[row] = long.Parse(t[1], CultureInfo.InvariantCulture);
            else if (t[2].Length > 0) expected[row] = customerOf.GetValueOrDefault(int.Parse(t[2], CultureInfo.InvariantCulture), -1);
        }
        var existingCount = long.Parse(File.ReadAllText(Path.Combine(dir, "existing.txt")), CultureInfo.InvariantCulture);
        var firstRow = new Dictionary<long, int>();
        foreach (var (row, customer) in customerOf.OrderBy(p => p.Key)) firstRow.TryAdd(customer, row);
        foreach (var t in truth)
        {
            var row = int.Parse(t[0], CultureInfo.InvariantCulture);
            var customer = customerOf[row];
            var isDuplicate = expected.TryGetValue(row, out var target);
            if (isDuplicate) duplicates++;
            var wasMerged = customer <= existingCount || firstRow[customer] != row;
            if (wasMerged)
            {
                merged++;
                if (isDuplicate && customer == target) mergedRight++;
            }
            else if (isDuplicate && candidates.Contains((Math.Min(customer, target), Math.Max(customer, target)))) reviewRight++;
        }
        reviewed = candidates.Count;
        Console.WriteLine($"rows {truth.Count:N0}, true duplicates {duplicates:N0}");
        Console.WriteLine($"auto-merged {merged:N0}: precision {(double)mergedRight / Math.Max(1, merged):F4}, recall {(double)mergedRight / Math.Max(1, duplicates):F4}");
        Console.WriteLine($"review queue {reviewed:N0} pairs, {reviewRight:N0} of them true duplicates: precision {(double)reviewRight / Math.Max(1, reviewed):F4}");
        Console.WriteLine($"merged or queued: recall {(double)(mergedRight + reviewRight) / Math.Max(1, duplicates):F4}, precision {(double)(mergedRight + reviewRight) / Math.Max(1, merged + reviewed):F4}");
        return 0;
    }
}
