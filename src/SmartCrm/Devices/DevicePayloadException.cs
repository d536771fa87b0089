namespace SmartCrm.Devices;

/// <summary>A device's telemetry or attribute message that cannot be read; <see cref="Place"/> names where, e.g. "[2].values.temperature".</summary>
public sealed class DevicePayloadException(string place, string problem) : Exception($"{place}: {problem}")
{
    /// <summary>Where in the message: "$" for the whole of it, else the path of the entry or key.</summary>
    public string Place { get; } = place;

    /// <summary>What is wrong there.</summary>
    public string Problem { get; } = problem;
}
