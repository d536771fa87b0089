using System.Globalization;
using Microsoft.Extensions.Options;
using SmartCrm.Analytics.Classification;
using SmartCrm.Records;

namespace SmartCrm.Alarms;

/// <summary>A failure model for one device model, trained at start from labelled history (a CSV export).</summary>
public sealed class FailureModelOptions
{
    /// <summary>Device model the prediction applies to.</summary>
    public string Model { get; set; } = "";

    /// <summary>CSV with one row per observation: the feature columns and a 0/1 label (ai4i2020's layout, for one).</summary>
    public string TrainingFile { get; set; } = "";

    /// <summary>Training column → telemetry key, e.g. "Torque [Nm]" → "torque".</summary>
    public Dictionary<string, string> Features { get; set; } = [];

    /// <summary>Column that says whether the machine failed (1) or not (0).</summary>
    public string Label { get; set; } = "Machine failure";

    /// <summary>Predicted probability at which the alarm is raised; it clears below half of it.</summary>
    public double Threshold { get; set; } = 0.5;
}

/// <summary>
/// Predictive maintenance: gradient-boosted trees trained on labelled history score each device's latest readings of the
/// model's features; a device whose failure risk passes the threshold gets a FailureRisk alarm naming the readings that
/// push it up most. A model that cannot be trained (file or column missing) is logged and left out; nothing else stops.
/// </summary>
public sealed class FailurePrediction(IOptions<AlarmOptions> options, ILogger<FailurePrediction> logger)
{
    public const string AlarmType = "FailureRisk";

    public sealed record TrainedModel(FailureModelOptions Options, string[] Keys, GradientBoostedTrees Trees);

    private Dictionary<string, TrainedModel>? _models;

    /// <summary>The trained model for a device model, if one is configured and trained.</summary>
    public TrainedModel? For(string? deviceModel)
    {
        _models ??= Train();
        return deviceModel is not null && _models.TryGetValue(deviceModel, out var model) ? model : null;
    }

    /// <summary>The probability of failure, and the two readings that raise it most (for the alarm's message).</summary>
    public static (double Risk, string Reasons) Score(TrainedModel model, double[] features)
    {
        Span<double> probabilities = stackalloc double[2];
        model.Trees.PredictProbabilities(features, probabilities);
        var explanation = model.Trees.Explain(features);
        var reasons = string.Join(", ", explanation.Contributions.Where(c => c.Contribution > 0).OrderByDescending(c => c.Contribution).Take(2)
            .Select(c => string.Create(CultureInfo.InvariantCulture, $"{model.Keys[c.Feature]} {features[c.Feature]:0.##}")));
        return (probabilities[1], reasons);
    }

    private Dictionary<string, TrainedModel> Train()
    {
        var trained = new Dictionary<string, TrainedModel>(StringComparer.Ordinal);
        foreach (var model in options.Value.FailureModels)
        {
            try
            {
                trained[model.Model] = Train(model);
                logger.LogInformation("Failure model for {Model} trained on {File}", model.Model, model.TrainingFile);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException)
            {
                logger.LogError("Failure model for {Model} not trained: {Problem}", model.Model, e.Message);
            }
        }
        return trained;
    }

    public static TrainedModel Train(FailureModelOptions model)
    {
        if (model.Features.Count == 0) throw new ArgumentException($"{model.Model}: name the feature columns (Features).");
        var (header, rows) = CsvRows.Read(model.TrainingFile);
        int Column(string name) => Array.IndexOf(header, name) is >= 0 and var i ? i
            : throw new InvalidDataException($"{model.TrainingFile}: no column '{name}' (columns: {string.Join(", ", header)})");
        var columns = model.Features.Keys.Select(Column).ToArray();
        var label = Column(model.Label);
        var values = new double[rows.Count * columns.Length];
        var labels = new int[rows.Count];
        for (var r = 0; r < rows.Count; r++)
        {
            for (var c = 0; c < columns.Length; c++)
            {
                if (!double.TryParse(rows[r][columns[c]], NumberStyles.Float, CultureInfo.InvariantCulture, out values[r * columns.Length + c]))
                {
                    throw new InvalidDataException($"{model.TrainingFile} line {r + 2}, column '{header[columns[c]]}': '{rows[r][columns[c]]}' is not a number");
                }
            }
            labels[r] = rows[r][label].Trim() switch
            {
                "1" or "true" or "True" or "yes" => 1,
                "0" or "false" or "False" or "no" => 0,
                var other => throw new InvalidDataException($"{model.TrainingFile} line {r + 2}, column '{model.Label}': '{other}' is not 0 or 1"),
            };
        }
        var keys = model.Features.Values.ToArray();
        var matrix = new FeatureMatrix(values, rows.Count, columns.Length, names: keys);
        return new TrainedModel(model, keys, GradientBoostedTrees.Fit(matrix, labels, new GradientBoostingOptions { Seed = 1 }));
    }
}
