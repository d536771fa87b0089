using System.Text;
using SmartCrm.Analytics.Matching;
using SmartCrm.Collections;

namespace SmartCrm.Customers;

/// <summary>What the matcher compares of a customer; email and phone already normalised (lower case, E.164).</summary>
public readonly record struct MatchFields(string Name, string? Email, string? Phone, string? City, string? Address);

/// <summary>A likely duplicate: the customer, the score (0..1) and the fields that agreed.</summary>
public readonly record struct MatchResult(long CustomerId, double Score, string Reasons);

/// <summary>
/// Duplicate detection over many customers in memory, compactly (about 110 bytes a customer, so a million fit in a laptop's
/// import): blocking by exact email, exact phone and two name keys (prefixes and Soundex of the sorted words), then a weighted
/// score of name similarity (Jaro–Winkler on the sorted folded words), email, phone and address agreement.
/// </summary>
public sealed class CustomerMatcher
{
    /// <summary>Weights of the comparisons; a score is the weighted mean over the fields both records have.</summary>
    private const double NameWeight = 0.4, EmailWeight = 0.3, PhoneWeight = 0.2, PlaceWeight = 0.1;
    /// <summary>A name alone is weak evidence (two John Smiths): without any other field it scores at most this.</summary>
    private const double NameOnlyCap = 0.85;
    /// <summary>Candidates looked at per key: a very common name must not make one lookup compare thousands of records.</summary>
    private const int BlockLimit = 200;

    private long[] _ids;
    private long[] _email;
    private long[] _phone;
    private int[] _nameAt;
    private int[] _placeAt;
    private int[] _next;
    private int[] _seen;
    private byte[] _text;
    private int _textLength;
    private int _stamp;
    private readonly KeyPositions _byEmail;
    private readonly KeyPositions _byPhone;
    private readonly LongIntMap _heads;

    /// <summary>
    /// A matcher sized for <paramref name="capacity"/> customers up front: growing a million-entry table by doubling keeps the old and
    /// the new copy alive at once, which is where an import's memory would peak.
    /// </summary>
    public CustomerMatcher(int capacity = 1024)
    {
        capacity = Math.Max(16, capacity);
        _ids = new long[capacity];
        _email = new long[capacity];
        _phone = new long[capacity];
        _nameAt = new int[capacity];
        _placeAt = new int[capacity];
        _seen = new int[capacity];
        _next = new int[2 * capacity];
        _text = new byte[(int)Math.Min(int.MaxValue / 2, 48L * capacity)];
        _byEmail = new KeyPositions(capacity);
        _byPhone = new KeyPositions(capacity);
        // Name keys are shared by many customers (prefixes and Soundex codes): a table for one key per customer would stand mostly empty.
        _heads = new LongIntMap(capacity / 4);
    }
    private readonly List<string> _keys = new(4);

    public int Count { get; private set; }

    /// <summary>Adds a customer; later lookups find it.</summary>
    public void Add(long id, MatchFields fields)
    {
        var i = Count;
        if (i == _ids.Length) Grow();
        _ids[i] = id;
        _email[i] = fields.Email is null ? 0 : Hash(fields.Email, 1);
        _phone[i] = PhoneKey(fields.Phone);
        var folded = NameKeys.Fold(fields.Name);
        _nameAt[i] = Store(NameKeys.Sorted(folded));
        var place = Place(fields);
        _placeAt[i] = place.Length == 0 ? -1 : Store(place);
        if (_email[i] != 0) _byEmail.Set(i, _email);
        if (_phone[i] != 0) _byPhone.Set(i, _phone);
        NameKeys.Keys(folded, _keys);
        for (var k = 0; k < 2; k++)
        {
            var slot = 2 * i + k;
            _next[slot] = -1;
            if (k >= _keys.Count) continue;
            ref var head = ref _heads.GetValueRefOrAddDefault(Hash(_keys[k], 3), out var exists);
            _next[slot] = exists ? head : -1;
            head = slot;
        }
        Count++;
    }

    /// <summary>The best-scoring customer at or above <paramref name="minimum"/>, other than <paramref name="except"/>.</summary>
    public MatchResult? Best(MatchFields fields, double minimum, long except = 0)
    {
        MatchResult? best = null;
        foreach (var match in Matches(fields, minimum, except))
        {
            if (best is null || match.Score > best.Value.Score) best = match;
        }
        return best;
    }

    /// <summary>Every customer scoring at or above <paramref name="minimum"/> against <paramref name="fields"/>.</summary>
    public List<MatchResult> Matches(MatchFields fields, double minimum, long except = 0)
    {
        var results = new List<MatchResult>();
        if (Count == 0) return results;
        if (++_stamp == int.MaxValue) { Array.Clear(_seen); _stamp = 1; }
        var email = fields.Email is null ? 0 : Hash(fields.Email, 1);
        var phone = PhoneKey(fields.Phone);
        var folded = NameKeys.Fold(fields.Name);
        var name = Encoding.UTF8.GetBytes(NameKeys.Sorted(folded));
        var placeText = Place(fields);
        var place = placeText.Length == 0 ? null : Encoding.UTF8.GetBytes(placeText);
        if (email != 0 && _byEmail.TryGetPosition(email, _email, out var byEmail)) Consider(byEmail);
        if (phone != 0 && _byPhone.TryGetPosition(phone, _phone, out var byPhone)) Consider(byPhone);
        NameKeys.Keys(folded, _keys);
        foreach (var key in _keys)
        {
            if (!_heads.TryGetValue(Hash(key, 3), out var slot)) continue;
            for (var n = 0; slot >= 0 && n < BlockLimit; n++, slot = _next[slot]) Consider(slot / 2);
        }
        return results;

        void Consider(int i)
        {
            if (_seen[i] == _stamp || _ids[i] == except) return;
            _seen[i] = _stamp;
            var score = Score(i, name, email, phone, place, minimum, out var nameSimilarity, out var placeSimilarity);
            // The reasons are words for a person; only the few pairs that pass are worth the string.
            if (score >= minimum) results.Add(new MatchResult(_ids[i], score, Reasons(i, name, email, phone, place, nameSimilarity, placeSimilarity)));
        }
    }

    /// <summary>
    /// The pair's score, or 0 when it cannot reach <paramref name="minimum"/> even with equal names and addresses: most candidates
    /// of a name block disagree on email and phone, and the weights alone rule them out before any string comparison.
    /// </summary>
    private double Score(int i, byte[] name, long email, long phone, byte[]? place, double minimum, out double nameSimilarity, out double placeSimilarity)
    {
        nameSimilarity = placeSimilarity = 0;
        var theirs = Text(_nameAt[i]);
        var named = theirs.Length > 0 && name.Length > 0;
        double sum = 0, weights = named ? NameWeight : 0;
        var other = false;
        if (email != 0 && _email[i] != 0)
        {
            other = true;
            // Agreement is strong evidence; disagreement only half as strong (people have a work and a private address).
            if (email == _email[i]) { sum += EmailWeight; weights += EmailWeight; }
            else weights += EmailWeight / 2;
        }
        if (phone != 0 && _phone[i] != 0)
        {
            other = true;
            if (phone == _phone[i]) { sum += PhoneWeight; weights += PhoneWeight; }
            else weights += PhoneWeight / 2;
        }
        var placed = place is not null && _placeAt[i] >= 0;
        if (placed)
        {
            other = true;
            weights += PlaceWeight;
        }
        if (weights == 0) return 0;
        // A margin below the minimum: the score is rounded to four places, and one just under it may round up to it.
        if (other && (sum + (named ? NameWeight : 0) + (placed ? PlaceWeight : 0)) / weights < minimum - 1e-4) return 0;
        if (named)
        {
            nameSimilarity = JaroWinkler.Similarity<byte>(theirs, name);
            sum += NameWeight * nameSimilarity;
        }
        if (placed)
        {
            placeSimilarity = JaroWinkler.Similarity<byte>(Text(_placeAt[i]), place);
            sum += PlaceWeight * placeSimilarity;
        }
        var score = other ? sum / weights : Math.Min(NameOnlyCap, nameSimilarity * NameOnlyCap);
        return Math.Round(score, 4);
    }

    private string Reasons(int i, byte[] name, long email, long phone, byte[]? place, double nameSimilarity, double placeSimilarity)
    {
        var named = _text[_nameAt[i]] + _text[_nameAt[i] + 1] > 0 && name.Length > 0;
        var reasons = new StringBuilder(!named ? "no names" : nameSimilarity >= 0.999 ? "same name" : $"name {nameSimilarity:0.00}");
        if (email != 0 && _email[i] != 0) reasons.Append(email == _email[i] ? ", same email" : ", different email");
        if (phone != 0 && _phone[i] != 0) reasons.Append(phone == _phone[i] ? ", same phone" : ", different phone");
        if (place is not null && _placeAt[i] >= 0) reasons.Append(placeSimilarity >= 0.9 ? ", same address" : ", different address");
        return reasons.ToString();
    }

    private static string Place(MatchFields fields) =>
        fields.Address is null && fields.City is null ? "" : NameKeys.Fold(fields.Address + " " + fields.City);

    private ReadOnlySpan<byte> Text(int at)
    {
        var length = _text[at] | (_text[at + 1] << 8);
        return _text.AsSpan(at + 2, length);
    }

    private int Store(string value)
    {
        var bytes = Encoding.UTF8.GetByteCount(value);
        if (bytes > 4000) { value = value[..1000]; bytes = Encoding.UTF8.GetByteCount(value); }
        if (_textLength + bytes + 2 > _text.Length) Array.Resize(ref _text, (int)Math.Min(int.MaxValue - 64, Math.Max(_text.Length * 3L / 2, _textLength + bytes + 2L)));
        var at = _textLength;
        _text[at] = (byte)bytes;
        _text[at + 1] = (byte)(bytes >> 8);
        Encoding.UTF8.GetBytes(value, _text.AsSpan(at + 2));
        _textLength += bytes + 2;
        return at;
    }

    private void Grow()
    {
        var size = _ids.Length * 2;
        Array.Resize(ref _ids, size);
        Array.Resize(ref _email, size);
        Array.Resize(ref _phone, size);
        Array.Resize(ref _nameAt, size);
        Array.Resize(ref _placeAt, size);
        Array.Resize(ref _seen, size);
        Array.Resize(ref _next, size * 2);
    }

    /// <summary>
    /// The last ten digits of a phone number: the same number written in E.164, with spaces, or nationally without the country
    /// code ("+1 415 555 0101", "(415) 555-0101") gives the same key. Fewer than six digits is no phone.
    /// </summary>
    private static long PhoneKey(string? phone)
    {
        if (phone is null) return 0;
        Span<char> digits = stackalloc char[10];
        var count = 0;
        for (var i = phone.Length - 1; i >= 0 && count < 10; i--)
        {
            if (char.IsAsciiDigit(phone[i])) digits[9 - count++] = phone[i];
        }
        return count < 6 ? 0 : Hash(new string(digits[(10 - count)..]), 2);
    }

    /// <summary>64-bit FNV-1a of the text, seeded per kind of key: collisions among millions of keys stay negligible.</summary>
    private static long Hash(string text, int seed)
    {
        var hash = 14695981039346656037UL ^ (ulong)seed;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }
        return (long)(hash | 1);
    }
}
