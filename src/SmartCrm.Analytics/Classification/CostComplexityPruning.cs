namespace SmartCrm.Analytics.Classification;

/// <summary>
/// Minimal cost-complexity pruning (Breiman et al., CART §3.3): repeatedly cut the internal node whose subtree buys
/// the least impurity per extra leaf, α(t) = (R(t) − R(T_t)) / (|leaves(T_t)| − 1), with R the node's impurity
/// weighted by its share of the training weight.
/// </summary>
internal static class CostComplexityPruning
{
    public static List<(double Alpha, double Impurity)> Path(TreeNode[] nodes, int[] branches)
    {
        var cut = new bool[nodes.Length];
        var path = new List<(double, double)>();
        var (alpha, weakest, total) = Weakest(nodes, branches, cut);
        path.Add((0, total));
        while (weakest >= 0)
        {
            cut[weakest] = true;
            var (nextAlpha, nextWeakest, nextTotal) = Weakest(nodes, branches, cut);
            path.Add((alpha, nextTotal));
            (alpha, weakest) = (nextAlpha, nextWeakest);
        }
        return path;
    }

    public static bool[] Cuts(TreeNode[] nodes, int[] branches, double maxAlpha)
    {
        var cut = new bool[nodes.Length];
        while (true)
        {
            var (alpha, weakest, _) = Weakest(nodes, branches, cut);
            if (weakest < 0 || alpha > maxAlpha) return cut;
            cut[weakest] = true;
        }
    }

    /// <summary>The weakest link of the tree as cut so far, its alpha, and the tree's total leaf impurity.</summary>
    private static (double Alpha, int Node, double Total) Weakest(TreeNode[] nodes, int[] branches, bool[] cut)
    {
        var rootWeight = nodes[0].Weight;
        var bestAlpha = double.PositiveInfinity;
        var best = -1;
        var (total, _) = Visit(0);
        return (bestAlpha, best, total);

        (double Risk, int Leaves) Visit(int id)
        {
            var n = nodes[id];
            var own = n.Weight / rootWeight * n.Impurity;
            if (n.Kind == SplitKind.Leaf || cut[id]) return (own, 1);
            double risk = 0;
            var leaves = 0;
            if (n.Kind == SplitKind.CategoryBranches)
            {
                for (var b = 0; b < n.Branches; b++)
                {
                    var child = branches[n.Table + b];
                    if (child < 0) continue;
                    var (r, l) = Visit(child);
                    risk += r;
                    leaves += l;
                }
            }
            else
            {
                var (rl, ll) = Visit(n.Left);
                var (rr, lr) = Visit(n.Right);
                risk = rl + rr;
                leaves = ll + lr;
            }
            if (leaves > 1)
            {
                var alpha = (own - risk) / (leaves - 1);
                if (alpha < bestAlpha) { bestAlpha = alpha; best = id; }
            }
            return (risk, leaves);
        }
    }
}
