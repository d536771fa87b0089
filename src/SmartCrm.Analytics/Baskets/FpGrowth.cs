using System.Runtime.CompilerServices;

namespace SmartCrm.Analytics.Baskets;

/// <summary>
/// FP-Growth (Han, Pei and Yin): the baskets are compressed into a prefix tree of items ordered by decreasing
/// frequency, and frequent itemsets grow from each item's conditional tree without generating candidates.
/// The tree lives in flat arrays (item, count, parent, first child, next sibling, next node of the same item).
/// </summary>
public static class FpGrowth
{
    /// <summary>All itemsets found in at least the minimum number of baskets; the same sets and counts as <see cref="Apriori.Mine"/>.</summary>
    /// <param name="baskets">The baskets.</param>
    /// <param name="options">Support threshold and length limits.</param>
    /// <param name="progress">Receives the number of itemsets found after each item of the top-level tree.</param>
    /// <param name="cancellationToken">Stops between conditional trees.</param>
    /// <exception cref="ArgumentException">Invalid options.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static FrequentItemsets Mine(BasketTable baskets, ItemsetOptions options, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(baskets);
        var need = ItemsetLimits.Threshold(options, baskets.Count);

        var itemCounts = new int[baskets.ItemCount];
        for (var b = 0; b < baskets.Count; b++) foreach (var item in baskets[b]) itemCounts[item]++;
        // Rank 0 is the most frequent item; ties go to the lower id so the tree is the same on every run.
        var ranked = new List<int>();
        for (var item = 0; item < itemCounts.Length; item++) if (itemCounts[item] >= need) ranked.Add(item);
        ranked.Sort((a, b) => itemCounts[a] != itemCounts[b] ? itemCounts[b].CompareTo(itemCounts[a]) : a.CompareTo(b));
        var itemOfRank = ranked.ToArray();
        var rankOf = new int[baskets.ItemCount];
        Array.Fill(rankOf, -1);
        for (var r = 0; r < itemOfRank.Length; r++) rankOf[itemOfRank[r]] = r;

        var tree = new FpTree(itemOfRank.Length, baskets.Count);
        var path = new List<int>();
        for (var b = 0; b < baskets.Count; b++)
        {
            path.Clear();
            foreach (var item in baskets[b]) if (rankOf[item] >= 0) path.Add(rankOf[item]);
            path.Sort();
            tree.Insert(path, 1);
        }

        var miner = new Miner(itemOfRank, need, options.MaxLength, progress, cancellationToken);
        miner.Grow(tree, depth: 0);
        return new FrequentItemsets(miner.Found, baskets.Count, need, options.MinLength);
    }

    private sealed class Miner(int[] itemOfRank, int need, int maxLength, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        private readonly List<int> _suffix = [];
        private readonly List<int> _path = [];
        // One conditional tree and one count array per recursion depth, reused across siblings.
        private readonly List<FpTree> _trees = [];
        private readonly List<int[]> _counters = [];

        public List<FrequentItemset> Found { get; } = [];

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Grow(FpTree tree, int depth)
        {
            for (var rank = tree.Limit - 1; rank >= 0; rank--)
            {
                var support = tree.Total[rank];
                if (support < need) continue;
                _suffix.Add(rank);
                Emit(support);
                if (_suffix.Count < maxLength)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var conditional = Conditional(tree, rank, depth);
                    if (conditional is not null) Grow(conditional, depth + 1);
                }
                _suffix.RemoveAt(_suffix.Count - 1);
                if (depth == 0) progress?.Report(Found.Count);
            }
        }

        /// <summary>The tree of the paths above every node of <paramref name="rank"/>, keeping only items frequent there.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private FpTree? Conditional(FpTree tree, int rank, int depth)
        {
            if (_counters.Count == depth)
            {
                _counters.Add(new int[itemOfRank.Length]);
                _trees.Add(new FpTree(itemOfRank.Length, 64));
            }
            var counts = _counters[depth];
            Array.Clear(counts, 0, rank);
            var any = false;
            for (var node = tree.Head[rank]; node >= 0; node = tree.NextSame[node])
            {
                var count = tree.Count[node];
                for (var up = tree.Parent[node]; up > 0; up = tree.Parent[up])
                {
                    counts[tree.Rank[up]] += count;
                    any = true;
                }
            }
            if (!any) return null;
            var frequentAny = false;
            for (var r = 0; r < rank; r++) frequentAny |= counts[r] >= need;
            if (!frequentAny) return null;

            var conditional = _trees[depth];
            conditional.Clear(rank);
            for (var node = tree.Head[rank]; node >= 0; node = tree.NextSame[node])
            {
                _path.Clear();
                for (var up = tree.Parent[node]; up > 0; up = tree.Parent[up])
                {
                    if (counts[tree.Rank[up]] >= need) _path.Add(tree.Rank[up]);
                }
                if (_path.Count == 0) continue;
                _path.Reverse();
                conditional.Insert(_path, tree.Count[node]);
            }
            return conditional;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Emit(int count)
        {
            var items = new int[_suffix.Count];
            for (var i = 0; i < items.Length; i++) items[i] = itemOfRank[_suffix[i]];
            Array.Sort(items);
            Found.Add(new FrequentItemset(items, count));
        }
    }

    /// <summary>An FP-tree in flat arrays; node 0 is the root.</summary>
    private sealed class FpTree
    {
        private int _size = 1;

        public FpTree(int ranks, int capacity)
        {
            capacity = Math.Max(capacity, 4);
            Rank = new int[capacity];
            Count = new int[capacity];
            Parent = new int[capacity];
            FirstChild = new int[capacity];
            NextSibling = new int[capacity];
            NextSame = new int[capacity];
            Head = new int[ranks];
            Total = new int[ranks];
            Limit = ranks;
            Array.Fill(Head, -1);
            Rank[0] = -1;
            FirstChild[0] = -1;
            NextSibling[0] = -1;
            NextSame[0] = -1;
        }

        public int[] Rank { get; private set; }

        public int[] Count { get; private set; }

        public int[] Parent { get; private set; }

        public int[] FirstChild { get; private set; }

        public int[] NextSibling { get; private set; }

        public int[] NextSame { get; private set; }

        /// <summary>First node of each rank (the rest follow <see cref="NextSame"/>).</summary>
        public int[] Head { get; }

        /// <summary>Total count of each rank over the tree.</summary>
        public int[] Total { get; }

        /// <summary>Empties the tree for reuse; only ranks below <paramref name="ranks"/> can occur in it.</summary>
        public void Clear(int ranks)
        {
            _size = 1;
            FirstChild[0] = -1;
            Array.Fill(Head, -1, 0, ranks);
            Array.Clear(Total, 0, ranks);
            // Ranks at or above the limit were never filled since the last clear of a larger limit.
            if (ranks < Limit)
            {
                Array.Fill(Head, -1, ranks, Limit - ranks);
                Array.Clear(Total, ranks, Limit - ranks);
            }
            Limit = ranks;
        }

        /// <summary>Ranks at or above this do not occur in the tree.</summary>
        public int Limit { get; private set; }

        /// <summary>Adds a path of increasing ranks carrying <paramref name="count"/> baskets.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Insert(List<int> ranks, int count)
        {
            var node = 0;
            foreach (var rank in ranks)
            {
                var child = FirstChild[node];
                while (child >= 0 && Rank[child] != rank) child = NextSibling[child];
                if (child < 0)
                {
                    if (_size == Rank.Length) Grow();
                    child = _size++;
                    Rank[child] = rank;
                    Count[child] = 0;
                    Parent[child] = node;
                    FirstChild[child] = -1;
                    NextSibling[child] = FirstChild[node];
                    FirstChild[node] = child;
                    NextSame[child] = Head[rank];
                    Head[rank] = child;
                }
                Count[child] += count;
                Total[rank] += count;
                node = child;
            }
        }

        private void Grow()
        {
            var capacity = Rank.Length * 2;
            Rank = Resize(Rank, capacity);
            Count = Resize(Count, capacity);
            Parent = Resize(Parent, capacity);
            FirstChild = Resize(FirstChild, capacity);
            NextSibling = Resize(NextSibling, capacity);
            NextSame = Resize(NextSame, capacity);
        }

        private static int[] Resize(int[] array, int capacity)
        {
            var bigger = new int[capacity];
            array.CopyTo(bigger, 0);
            return bigger;
        }
    }
}
