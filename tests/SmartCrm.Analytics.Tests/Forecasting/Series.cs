using System.Globalization;
using SmartCrm.Analytics.Tests.Evaluation;

namespace SmartCrm.Analytics.Tests.Forecasting;

/// <summary>Series for the forecasting tests: simulated with a seed, small committed fixtures, or read from the data sets.</summary>
internal static class Series
{
    /// <summary>ARMA(1,1), φ = 0.6, θ = 0.3, mean 10, 60 values rounded to 3 decimals (numpy RandomState(42)).</summary>
    public static readonly double[] Arma11 =
    [
        8.975, 9.097, 8.666, 9.608, 10.979, 11.828, 10.537, 9.761, 10.095, 11.132, 10.493, 9.966, 8.818, 7.763, 9.111,
        11.067, 10.975, 11.567, 11.603, 10.425, 10.423, 11.900, 11.566, 12.493, 9.346, 9.643, 10.120, 9.799, 9.881, 7.969,
        7.965, 9.070, 11.027, 10.541, 9.361, 8.872, 10.088, 10.656, 9.963, 10.332, 10.450, 11.268, 10.349, 9.671, 9.312,
        8.006, 8.661, 9.546, 9.811, 9.654, 8.306, 8.139, 8.414, 8.143, 8.484, 9.446, 11.675, 11.745, 11.357, 10.817,
    ];

    /// <summary>Quarterly SARIMA(0,1,1)(0,1,1)4 path, 48 values.</summary>
    public static readonly double[] Quarterly =
    [
        25.838, 18.608, 27.997, 21.579, 26.359, 19.655, 28.430, 22.833, 25.401, 19.737, 31.191, 22.394, 26.153, 20.099,
        29.862, 21.017, 25.663, 18.282, 29.382, 20.160, 26.309, 18.028, 28.595, 21.041, 24.347, 17.844, 29.562, 19.163,
        24.439, 17.598, 29.252, 18.582, 22.563, 16.804, 28.103, 18.511, 23.135, 15.813, 27.662, 18.186, 21.817, 17.229,
        28.277, 17.266, 22.665, 15.441, 28.038, 18.650,
    ];

    /// <summary>Random walk with drift 0.5, 50 values.</summary>
    public static readonly double[] Drifting =
    [
        5.255, 5.001, 4.611, 4.296, 4.718, 5.560, 6.336, 7.663, 8.176, 10.130, 10.365, 13.586, 14.711, 14.354, 13.783,
        14.766, 15.042, 16.256, 17.229, 17.657, 17.310, 16.295, 16.348, 17.705, 18.419, 17.673, 18.346, 19.232, 18.848,
        19.502, 20.060, 19.417, 20.275, 21.335, 22.918, 24.472, 23.595, 23.157, 24.172, 25.186, 26.201, 30.553, 31.624,
        33.260, 34.714, 35.865, 36.050, 37.309, 37.036, 37.299,
    ];

    /// <summary>y_t = Σ φ_i y_{t−i} + ε_t + Σ θ_j ε_{t−j} with standard normal ε, after a burn-in of 200 values.</summary>
    public static double[] SimulateArma(int n, double[] phi, double[] theta, int seed, double sigma = 1)
    {
        var random = new Random(seed);
        var total = n + 200;
        var y = new double[total];
        var e = new double[total];
        for (var t = 0; t < total; t++)
        {
            e[t] = sigma * Gaussian(random);
            var value = e[t];
            for (var i = 0; i < phi.Length && t - i - 1 >= 0; i++) value += phi[i] * y[t - i - 1];
            for (var j = 0; j < theta.Length && t - j - 1 >= 0; j++) value += theta[j] * e[t - j - 1];
            y[t] = value;
        }
        return y[200..];
    }

    public static double[] Integrate(double[] w, double start = 0)
    {
        var y = new double[w.Length];
        var level = start;
        for (var t = 0; t < w.Length; t++) y[t] = level += w[t];
        return y;
    }

    public static double Gaussian(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    public const string AirPassengersFile = "timeseries/airpassengers.csv";

    /// <summary>log(AirPassengers) from the data sets (see <see cref="DataSets"/>); tests that call it are DataFacts on <see cref="AirPassengersFile"/>.</summary>
    public static double[] LogAirPassengers() =>
        File.ReadAllLines(DataSets.File(AirPassengersFile)).Skip(1).Where(l => l.Length > 0)
            .Select(l => Math.Log(double.Parse(l.Split(',')[1], CultureInfo.InvariantCulture))).ToArray();
}
