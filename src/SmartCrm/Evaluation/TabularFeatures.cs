using System.Diagnostics;
using System.Globalization;
using SmartCrm.Analytics.Classification;
using SmartCrm.Analytics.Evaluation;

namespace SmartCrm.Evaluation;

/// <summary>
/// Turns a CSV table into model features the way peers.py does with pandas: numeric columns first, in table order,
/// then `pd.get_dummies` indicator columns for each text column (categories in sorted order, the first dropped when
/// asked), so our models see the same columns as scikit-learn's.
/// </summary>
internal static class TabularFeatures
{
    /// <param name="header">The CSV header.</param>
    /// <param name="rows">The CSV rows.</param>
    /// <param name="columns">Columns to use, in order.</param>
    /// <param name="numericBlankAsZero">Numeric columns whose blanks mean 0 (pd.to_numeric(errors='coerce').fillna(0)).</param>
    /// <param name="dropFirst">Drop each text column's first category, as get_dummies(drop_first=True).</param>
    public static FeatureMatrix Dummies(string[] header, List<string[]> rows, IReadOnlyList<string> columns, IReadOnlySet<string> numericBlankAsZero, bool dropFirst)
    {
        var numeric = new List<(string Name, double[] Values)>();
        var dummies = new List<(string Name, double[] Values)>();
        foreach (var name in columns)
        {
            var at = Array.IndexOf(header, name);
            if (at < 0) throw new InvalidDataException($"Column '{name}' is missing.");
            var parsed = new double[rows.Count];
            var isNumber = true;
            for (var r = 0; r < rows.Count && isNumber; r++)
            {
                var text = rows[r][at].Trim();
                if (text.Length == 0 && numericBlankAsZero.Contains(name)) parsed[r] = 0;
                else isNumber = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out parsed[r]);
            }
            if (isNumber) { numeric.Add((name, parsed)); continue; }
            var categories = rows.Select(row => row[at]).Distinct().Order(StringComparer.Ordinal).ToArray();
            foreach (var category in categories.Skip(dropFirst ? 1 : 0))
            {
                var indicator = new double[rows.Count];
                for (var r = 0; r < rows.Count; r++) indicator[r] = rows[r][at] == category ? 1 : 0;
                dummies.Add(($"{name}_{category}", indicator));
            }
        }
        var all = numeric.Concat(dummies).ToArray();
        var values = new double[rows.Count * all.Length];
        for (var r = 0; r < rows.Count; r++)
            for (var c = 0; c < all.Length; c++) values[r * all.Length + c] = all[c].Values[r];
        return new FeatureMatrix(values, rows.Count, all.Length, null, all.Select(c => c.Name).ToArray());
    }

    /// <summary>
    /// Mean ROC AUC over the folds of a binary classifier built by <paramref name="fit"/>, and the seconds it took.
    /// One untimed fit on 2,000 training rows first lets the JIT compile the code paths and the heap grow (scikit-learn's
    /// code is compiled ahead of time), so the seconds measure the algorithm, as peers.py's do.
    /// </summary>
    public static (double Auc, double Seconds) CrossValidate(FeatureMatrix x, int[] labels, IReadOnlyList<Fold> folds,
        Func<FeatureMatrix, int[], IClassifier> fit, CancellationToken cancellationToken)
    {
        var warmUp = folds[0].Train.Take(2000).ToArray();
        fit(x.Select(warmUp), warmUp.Select(i => labels[i]).ToArray()).ProbabilityOf(x.Select(warmUp));
        var clock = Stopwatch.StartNew();
        double sum = 0;
        foreach (var fold in folds)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var model = fit(x.Select(fold.Train), fold.Train.Select(i => labels[i]).ToArray());
            var scores = model.ProbabilityOf(x.Select(fold.Test));
            var truth = fold.Test.Select(i => labels[i] == 1).ToArray();
            sum += Metrics.RocAuc(truth, scores);
        }
        return (sum / folds.Count, clock.Elapsed.TotalSeconds);
    }
}
