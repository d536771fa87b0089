using System.Security.Cryptography;
using System.Text;

namespace SmartCrm.Devices;

/// <summary>
/// User names and passwords for the standalone broker, one <c>name:password</c> a line. The password is either plain
/// text or a hash written by mosquitto_passwd (<c>$7$</c> PBKDF2-SHA512 or <c>$6$</c> salted SHA-512), so an existing
/// mosquitto password file works unchanged.
/// </summary>
internal sealed class BrokerUsers
{
    private readonly Dictionary<string, string> _secrets;

    private BrokerUsers(Dictionary<string, string> secrets) => _secrets = secrets;

    public int Count => _secrets.Count;

    public static BrokerUsers Load(string path)
    {
        if (!File.Exists(path)) throw new ArgumentException($"Users file not found: {path}", nameof(path));
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal);
        var number = 0;
        foreach (var raw in File.ReadLines(path))
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0) throw new ArgumentException($"{path}, line {number}: expected name:password", nameof(path));
            var secret = line[(colon + 1)..];
            if (secret.StartsWith('$') && !IsKnownHash(secret)) throw new ArgumentException($"{path}, line {number}: unknown password hash format (only mosquitto_passwd's $6$ and $7$ are read)", nameof(path));
            secrets[line[..colon]] = secret;
        }
        return new BrokerUsers(secrets);
    }

    private static bool IsKnownHash(string secret) => secret.StartsWith("$7$", StringComparison.Ordinal) ? secret.Split('$').Length == 5 : secret.StartsWith("$6$", StringComparison.Ordinal) && secret.Split('$').Length == 4;

    public bool Verify(string userName, ReadOnlySpan<byte> password)
    {
        if (!_secrets.TryGetValue(userName, out var secret)) return false;
        if (!secret.StartsWith('$')) return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(secret), password);
        var parts = secret.Split('$');
        try
        {
            if (parts[1] == "7")
            {
                var iterations = int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture);
                var salt = Convert.FromBase64String(parts[3]);
                var expected = Convert.FromBase64String(parts[4]);
                var actual = Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA512, expected.Length);
                return CryptographicOperations.FixedTimeEquals(actual, expected);
            }
            var salt6 = Convert.FromBase64String(parts[2]);
            var expected6 = Convert.FromBase64String(parts[3]);
            var input = new byte[password.Length + salt6.Length];
            password.CopyTo(input);
            salt6.CopyTo(input.AsSpan(password.Length));
            return CryptographicOperations.FixedTimeEquals(SHA512.HashData(input), expected6);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
