using System.Globalization;
using System.Text;

namespace SmartCrm.Devices;

/// <summary>What kind of trouble a simulated device develops, if any.</summary>
public enum SimulatedFault { None, Overheating, FanStall, Leak, StuckSensor }

/// <summary>One value of a simulated message, rounded as the device reports it; booleans are 0 or 1.</summary>
public readonly record struct SimulatedReading(string Key, double Value, bool IsBoolean = false);

/// <summary>
/// Believable readings of the demo company's products, one message at a time: a thermostat's room follows the day and its
/// heating, a purifier's particles drift and its filter wears, a heater's tank cycles. A device with a fault drifts into it
/// a while after it starts, so thresholds and the anomaly detector have something to find. The time of each message is
/// the caller's, so a benchmark can run the devices on a virtual clock.
/// </summary>
public sealed class DeviceSimulator(string model, SimulatedFault fault, int seed)
{
    public static readonly string[] Models = ["TH-100", "AP-300", "WH-50"];

    private readonly Random _random = new(seed);
    private double _room = 20 + new Random(seed).NextDouble() * 2;
    private double _pm25 = 8;
    private double _filter = 100;
    private double _tank = 55;
    private double _battery = 100;
    private bool _heating;
    private int _step;

    public string Model { get; } = model;

    public SimulatedFault Fault { get; } = fault;

    /// <summary>The fault shows after this many messages, so the device first has a normal history.</summary>
    public int FaultAfter { get; init; } = 20;

    /// <summary>Messages produced so far.</summary>
    public int Messages => _step;

    public static SimulatedFault FaultFor(string model) => model switch
    {
        "AP-300" => SimulatedFault.FanStall,
        "WH-50" => SimulatedFault.Overheating,
        _ => SimulatedFault.StuckSensor,
    };

    /// <summary>The faults a model can develop (the simulator's others leave its readings alone).</summary>
    public static SimulatedFault[] FaultsOf(string model) => model switch
    {
        "AP-300" => [SimulatedFault.FanStall],
        "WH-50" => [SimulatedFault.Overheating, SimulatedFault.Leak],
        _ => [SimulatedFault.StuckSensor],
    };

    /// <summary>The reading a fault shows in.</summary>
    public static string SignalOf(SimulatedFault fault) => fault switch
    {
        SimulatedFault.Overheating => "tankTemperature",
        SimulatedFault.FanStall => "fanRpm",
        SimulatedFault.Leak => "leak",
        SimulatedFault.StuckSensor => "roomTemperature",
        _ => throw new ArgumentOutOfRangeException(nameof(fault), fault, "A healthy device shows no fault."),
    };

    /// <summary>The next message's readings at <paramref name="now"/>, added to <paramref name="readings"/>.</summary>
    public void Sample(DateTimeOffset now, List<SimulatedReading> readings)
    {
        _step++;
        var faulty = Fault != SimulatedFault.None && _step > FaultAfter;
        switch (Model)
        {
            case "AP-300": Purifier(faulty, readings); break;
            case "WH-50": Heater(faulty, readings); break;
            default: Thermostat(now.UtcDateTime.TimeOfDay.TotalHours, faulty, readings); break;
        }
    }

    /// <summary>The next telemetry message as ThingsBoard JSON with a timestamp.</summary>
    public byte[] Next(DateTimeOffset now)
    {
        var readings = new List<SimulatedReading>(5);
        Sample(now, readings);
        var json = new StringBuilder(160).Append(CultureInfo.InvariantCulture, $"{{\"ts\":{now.ToUnixTimeMilliseconds()},\"values\":{{");
        for (var i = 0; i < readings.Count; i++)
        {
            var (key, value, isBoolean) = readings[i];
            if (i > 0) json.Append(',');
            json.Append('"').Append(key).Append("\":");
            if (isBoolean) json.Append(value != 0 ? "true" : "false");
            else json.Append(value.ToString("R", CultureInfo.InvariantCulture));
        }
        return Encoding.UTF8.GetBytes(json.Append("}}").ToString());
    }

    private void Thermostat(double hour, bool faulty, List<SimulatedReading> readings)
    {
        var target = hour is > 6 and < 22 ? 21.0 : 17.0;
        _heating = _room < target - 0.3 || (_heating && _room < target + 0.3);
        _room += (_heating ? 0.08 : -0.05) + Noise(0.03);
        _battery = Math.Max(0, _battery - 0.002);
        // A stuck sensor repeats one value, then jumps: the anomaly detector's case.
        var room = faulty && Fault == SimulatedFault.StuckSensor ? (_step % 50 == 0 ? 45.0 : 19.0) : _room;
        readings.Add(new("roomTemperature", Round(room, 2)));
        readings.Add(new("targetTemperature", target));
        readings.Add(new("humidity", Round(45 + Noise(3), 1)));
        readings.Add(new("heating", _heating ? 1 : 0, IsBoolean: true));
        readings.Add(new("battery", Round(_battery, 1)));
    }

    private void Purifier(bool faulty, List<SimulatedReading> readings)
    {
        _pm25 = Math.Clamp(_pm25 + Noise(1.5) + (_random.NextDouble() < 0.01 ? 25 : 0) - (_pm25 - 8) * 0.05, 1, 300);
        _filter = Math.Max(0, _filter - 0.01);
        var rpm = faulty && Fault == SimulatedFault.FanStall ? 0 : 900 + _pm25 * 4 + Noise(20);
        readings.Add(new("pm25", Round(_pm25, 1)));
        readings.Add(new("fanRpm", Round(rpm, 0)));
        readings.Add(new("filterLife", Round(_filter, 1)));
    }

    private void Heater(bool faulty, List<SimulatedReading> readings)
    {
        var drift = faulty && Fault == SimulatedFault.Overheating ? 1.5 : 0;
        _tank = Math.Clamp(_tank + drift + (_tank < 50 ? 1.2 : -0.4) + Noise(0.2), 10, 99);
        var leak = faulty && Fault == SimulatedFault.Leak ? 1 : 0;
        var power = _tank < 50 ? 2000 + Noise(50) : 0;
        readings.Add(new("tankTemperature", Round(_tank, 1)));
        readings.Add(new("power", Round(power, 0)));
        readings.Add(new("leak", leak));
    }

    // As the JSON used to print them ("0.0"): half away from zero, so the readings are the ones the devices always sent.
    private static double Round(double value, int digits) => Math.Round(value, digits, MidpointRounding.AwayFromZero);

    private double Noise(double scale) => (_random.NextDouble() * 2 - 1) * scale;
}
