using System.Runtime.CompilerServices;

namespace SmartCrm.Analytics.Text;

/// <summary>How term counts become TF-IDF weights. Defaults are scikit-learn's TfidfVectorizer defaults, except sublinear tf.</summary>
public sealed record TfidfOptions
{
    /// <summary>Use 1 + ln(tf) instead of the raw count tf.</summary>
    public bool SublinearTf { get; init; } = true;

    /// <summary>Weight terms by inverse document frequency.</summary>
    public bool UseIdf { get; init; } = true;

    /// <summary>idf = ln((1 + n) / (1 + df)) + 1, as if one extra document held every term; otherwise ln(n / df) + 1.</summary>
    public bool SmoothIdf { get; init; } = true;

    /// <summary>Scale each document vector to Euclidean length 1.</summary>
    public bool Normalise { get; init; } = true;

    /// <summary>Keep only terms found in at least this many training documents.</summary>
    public int MinDocumentFrequency { get; init; } = 1;

    /// <summary>Drop terms found in more than this share of training documents.</summary>
    public double MaxDocumentShare { get; init; } = 1.0;

    /// <summary>Keep at most this many terms, the most frequent over the corpus (null keeps all).</summary>
    public int? MaxTerms { get; init; }

    internal void Check()
    {
        if (MinDocumentFrequency < 1) throw new ArgumentException($"TfidfOptions.MinDocumentFrequency must be ≥ 1, was {MinDocumentFrequency}.");
        if (!(MaxDocumentShare > 0 && MaxDocumentShare <= 1)) throw new ArgumentException($"TfidfOptions.MaxDocumentShare must be in (0, 1], was {MaxDocumentShare}.");
        if (MaxTerms is < 1) throw new ArgumentException($"TfidfOptions.MaxTerms must be ≥ 1, was {MaxTerms}.");
    }
}

/// <summary>
/// TF-IDF document vectors over a vocabulary learnt from training documents, computed as scikit-learn's
/// TfidfVectorizer does: tf (or 1 + ln tf), times idf = ln((1 + n) / (1 + df)) + 1, then l2-normalised.
/// Terms unseen in training are ignored. Vocabulary columns are in ordinal order of the terms.
/// </summary>
public sealed class TfidfVectoriser
{
    private readonly Dictionary<string, int> _vocabulary;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly double[] _idf;
    // The zeroed counts of the last transform, for the next one (null while one is using them).
    private int[]? _spareCounts;

    private TfidfVectoriser(Tokeniser tokeniser, TfidfOptions options, string[] terms, double[] idf, int[] documentFrequency)
    {
        Tokeniser = tokeniser;
        Options = options;
        Terms = terms;
        this._idf = idf;
        DocumentFrequency = documentFrequency;
        _vocabulary = new Dictionary<string, int>(terms.Length, StringComparer.Ordinal);
        for (var i = 0; i < terms.Length; i++) _vocabulary[terms[i]] = i;
        _lookup = _vocabulary.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The tokeniser that makes the terms.</summary>
    public Tokeniser Tokeniser { get; }

    /// <summary>The weighting options.</summary>
    public TfidfOptions Options { get; }

    /// <summary>The vocabulary: the term of each column.</summary>
    public IReadOnlyList<string> Terms { get; }

    /// <summary>The number of training documents holding each term.</summary>
    public IReadOnlyList<int> DocumentFrequency { get; }

    /// <summary>The idf weight of each column.</summary>
    public ReadOnlySpan<double> Idf => _idf;

    /// <summary>The column of <paramref name="term"/>, or −1 when it is not in the vocabulary.</summary>
    public int ColumnOf(string term) => _vocabulary.TryGetValue(term, out var i) ? i : -1;

    /// <summary>Learns the vocabulary and idf from <paramref name="documents"/> and returns them as TF-IDF rows too.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (TfidfVectoriser Vectoriser, CsrMatrix Matrix) FitTransform(IReadOnlyList<string> documents, Tokeniser tokeniser, TfidfOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentNullException.ThrowIfNull(tokeniser);
        options ??= new TfidfOptions();
        options.Check();
        if (documents.Count == 0) throw new ArgumentException("TfidfVectoriser.FitTransform: no documents.", nameof(documents));

        var found = new Dictionary<string, int>(StringComparer.Ordinal);
        var counts = new Counting(found);
        var docStarts = new int[documents.Count + 1];
        var ids = new List<int>();
        var tfs = new List<int>();
        var documentFrequency = new List<int>();
        var termFrequency = new List<long>();
        for (var d = 0; d < documents.Count; d++)
        {
            var text = documents[d] ?? throw new ArgumentException($"TfidfVectoriser.FitTransform: document {d} is null.", nameof(documents));
            tokeniser.Emit(text, ref counts);
            foreach (var id in counts.Touched)
            {
                while (documentFrequency.Count <= id) { documentFrequency.Add(0); termFrequency.Add(0); }
                documentFrequency[id]++;
                termFrequency[id] += counts.Count[id];
                ids.Add(id);
                tfs.Add(counts.Count[id]);
            }
            counts.Reset();
            docStarts[d + 1] = ids.Count;
        }

        // Filter by document frequency and size, then number the kept terms in ordinal order.
        var n = documents.Count;
        var maxDf = (int)Math.Floor(options.MaxDocumentShare * n + 1e-9);
        var termOf = new string[found.Count];
        foreach (var (term, id) in found) termOf[id] = term;
        var kept = new List<int>();
        for (var id = 0; id < termOf.Length; id++)
            if (documentFrequency[id] >= options.MinDocumentFrequency && documentFrequency[id] <= maxDf) kept.Add(id);
        if (options.MaxTerms is { } limit && kept.Count > limit)
        {
            kept.Sort((a, b) => termFrequency[b] != termFrequency[a] ? termFrequency[b].CompareTo(termFrequency[a]) : string.CompareOrdinal(termOf[a], termOf[b]));
            kept.RemoveRange(limit, kept.Count - limit);
        }
        if (kept.Count == 0) throw new ArgumentException("TfidfVectoriser.FitTransform: no terms left (empty documents, or the frequency limits remove every term).", nameof(documents));
        kept.Sort((a, b) => string.CompareOrdinal(termOf[a], termOf[b]));
        var column = new int[termOf.Length];
        Array.Fill(column, -1);
        var terms = new string[kept.Count];
        var df = new int[kept.Count];
        var idf = new double[kept.Count];
        for (var c = 0; c < kept.Count; c++)
        {
            column[kept[c]] = c;
            terms[c] = termOf[kept[c]];
            df[c] = documentFrequency[kept[c]];
            idf[c] = !options.UseIdf ? 1 : options.SmoothIdf ? Math.Log((1.0 + n) / (1.0 + df[c])) + 1 : Math.Log((double)n / df[c]) + 1;
        }
        var vectoriser = new TfidfVectoriser(tokeniser, options, terms, idf, df);

        var starts = new int[n + 1];
        var outIndices = new int[ids.Count];
        var outValues = new float[ids.Count];
        var at = 0;
        for (var d = 0; d < n; d++)
        {
            var rowStart = at;
            for (var p = docStarts[d]; p < docStarts[d + 1]; p++)
            {
                var c = column[ids[p]];
                if (c < 0) continue;
                outIndices[at] = c;
                outValues[at++] = (float)vectoriser.Weight(c, tfs[p]);
            }
            Array.Sort(outIndices, outValues, rowStart, at - rowStart);
            starts[d + 1] = at;
        }
        Array.Resize(ref outIndices, at);
        Array.Resize(ref outValues, at);
        if (options.Normalise) CsrMatrix.NormaliseRowsInPlace(starts, outValues);
        return (vectoriser, CsrMatrix.Trusted(n, terms.Length, starts, outIndices, outValues));
    }

    /// <summary>TF-IDF rows of <paramref name="documents"/> over the learnt vocabulary.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public CsrMatrix Transform(IReadOnlyList<string> documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        // A count per vocabulary term (a company's vocabulary of character n-grams runs to 100,000s: an array on the large
        // object heap per message otherwise). Every count is back to zero after each document, so the next call can reuse it.
        var spare = Interlocked.Exchange(ref _spareCounts, null);
        var counts = new Counting(_lookup, spare ?? new int[_vocabulary.Count]);
        var starts = new int[documents.Count + 1];
        var outIndices = new List<int>();
        var outValues = new List<float>();
        for (var d = 0; d < documents.Count; d++)
        {
            var text = documents[d] ?? throw new ArgumentException($"TfidfVectoriser.Transform: document {d} is null.", nameof(documents));
            Tokeniser.Emit(text, ref counts);
            counts.Touched.Sort();
            foreach (var c in counts.Touched)
            {
                outIndices.Add(c);
                outValues.Add((float)Weight(c, counts.Count[c]));
            }
            counts.Reset();
            starts[d + 1] = outIndices.Count;
        }
        Volatile.Write(ref _spareCounts, counts.Count);
        var values = outValues.ToArray();
        if (Options.Normalise) CsrMatrix.NormaliseRowsInPlace(starts, values);
        return CsrMatrix.Trusted(documents.Count, Terms.Count, starts, [.. outIndices], values);
    }

    /// <summary>The TF-IDF row of one document.</summary>
    public CsrMatrix Transform(string document) => Transform([document]);

    private double Weight(int column, int count) => (Options.SublinearTf ? 1 + Math.Log(count) : count) * _idf[column];

    /// <summary>Counts the terms of one document: by growing the vocabulary (fitting) or by looking them up (transforming).</summary>
    private struct Counting : ITermSink
    {
        private readonly Dictionary<string, int>? _growing;
        private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
        public int[] Count;
        public List<int> Touched;

        public Counting(Dictionary<string, int> growing)
        {
            this._growing = growing;
            _lookup = growing.GetAlternateLookup<ReadOnlySpan<char>>();
            Count = new int[1024];
            Touched = [];
        }

        public Counting(Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> fixedVocabulary, int[] zeroedCounts)
        {
            _growing = null;
            _lookup = fixedVocabulary;
            Count = zeroedCounts;
            Touched = [];
        }

        public void Add(ReadOnlySpan<char> term)
        {
            if (!_lookup.TryGetValue(term, out var id))
            {
                if (_growing is null) return;
                id = _growing.Count;
                _lookup[term] = id;
                if (id >= Count.Length) Array.Resize(ref Count, Count.Length * 2);
            }
            if (Count[id]++ == 0) Touched.Add(id);
        }

        public readonly void Reset()
        {
            foreach (var id in Touched) Count[id] = 0;
            Touched.Clear();
        }
    }
}
