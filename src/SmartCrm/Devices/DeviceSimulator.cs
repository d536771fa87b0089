using System.Text;

namespace SmartCrm.Devices;

/// <summary>What kind of trouble a simulated device develops, if any.</summary>
public enum SimulatedFault { None, Overheating, FanStall, Leak, StuckSensor }

/// <summary>
/// Believable readings of the demo company's products, one message at a time: a thermostat's room follows the day and its
/// heating, a purifier's particles drift and its filter wears, a heater's tank cycles. A device with a fault drifts into it
/// a while after it starts, so thresholds and the anomaly detector have something to find.
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

    public static SimulatedFault FaultFor(string model) => model switch
    {
        "AP-300" => SimulatedFault.FanStall,
        "WH-50" => SimulatedFault.Overheating,
        _ => SimulatedFault.StuckSensor,
    };

    /// <summary>The next telemetry message as ThingsBoard JSON with a timestamp.</summary>
    public byte[] Next(DateTimeOffset now)
    {
        _step++;
        var faulty = Fault != SimulatedFault.None && _step > FaultAfter;
        var hour = now.UtcDateTime.TimeOfDay.TotalHours;
        var values = Model switch
        {
            "AP-300" => Purifier(faulty),
            "WH-50" => Heater(faulty),
            _ => Thermostat(hour, faulty),
        };
        return Encoding.UTF8.GetBytes(FormattableString.Invariant($"{{\"ts\":{now.ToUnixTimeMilliseconds()},\"values\":{{{values}}}}}"));
    }

    private string Thermostat(double hour, bool faulty)
    {
        var target = hour is > 6 and < 22 ? 21.0 : 17.0;
        _heating = _room < target - 0.3 || (_heating && _room < target + 0.3);
        _room += (_heating ? 0.08 : -0.05) + Noise(0.03);
        _battery = Math.Max(0, _battery - 0.002);
        // A stuck sensor repeats one value, then jumps: the anomaly detector's case.
        var room = faulty && Fault == SimulatedFault.StuckSensor ? (_step % 50 == 0 ? 45.0 : 19.0) : _room;
        return FormattableString.Invariant($"\"roomTemperature\":{room:0.00},\"targetTemperature\":{target:0.0},\"humidity\":{45 + Noise(3):0.0},\"heating\":{(_heating ? "true" : "false")},\"battery\":{_battery:0.0}");
    }

    private string Purifier(bool faulty)
    {
        _pm25 = Math.Clamp(_pm25 + Noise(1.5) + (_random.NextDouble() < 0.01 ? 25 : 0) - (_pm25 - 8) * 0.05, 1, 300);
        _filter = Math.Max(0, _filter - 0.01);
        var rpm = faulty && Fault == SimulatedFault.FanStall ? 0 : 900 + _pm25 * 4 + Noise(20);
        return FormattableString.Invariant($"\"pm25\":{_pm25:0.0},\"fanRpm\":{rpm:0},\"filterLife\":{_filter:0.0}");
    }

    private string Heater(bool faulty)
    {
        var drift = faulty && Fault == SimulatedFault.Overheating ? 1.5 : 0;
        _tank = Math.Clamp(_tank + drift + (_tank < 50 ? 1.2 : -0.4) + Noise(0.2), 10, 99);
        var leak = faulty && Fault == SimulatedFault.Leak ? 1 : 0;
        var power = _tank < 50 ? 2000 + Noise(50) : 0;
        return FormattableString.Invariant($"\"tankTemperature\":{_tank:0.0},\"power\":{power:0},\"leak\":{leak}");
    }

    private double Noise(double scale) => (_random.NextDouble() * 2 - 1) * scale;
}
