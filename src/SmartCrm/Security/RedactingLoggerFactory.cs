using System.Collections;
using System.Globalization;
using System.Text;

namespace SmartCrm.Security;

/// <summary>
/// Wraps the host's logger factory so that <see cref="LogRedaction"/> applies to every line of every logger (ASP.NET Core's
/// request, routing and exception logs, the MQTT broker, our own code) and every provider, whatever the configured levels:
/// structured values and scopes are redacted and the message is rendered again from its template. A line with nothing to
/// redact passes through untouched.
/// </summary>
public sealed class RedactingLoggerFactory(ILoggerFactory inner, LogRedaction redaction) : ILoggerFactory
{
    private const string Template = "{OriginalFormat}";

    public ILogger CreateLogger(string categoryName) => new Logger(inner.CreateLogger(categoryName), categoryName, redaction);

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose() => inner.Dispose();

    /// <summary>Puts the factory in front of the one the host registered.</summary>
    public static void Install(IServiceCollection services)
    {
        var original = services.Last(d => d.ServiceType == typeof(ILoggerFactory));
        if (original.ImplementationType is not { } type) throw new InvalidOperationException("The logger factory is not registered by type; cannot wrap it.");
        services.Remove(original);
        services.AddSingleton<LogRedaction>();
        services.AddSingleton<ILoggerFactory>(provider =>
            new RedactingLoggerFactory((ILoggerFactory)ActivatorUtilities.CreateInstance(provider, type), provider.GetRequiredService<LogRedaction>()));
    }

    private sealed class Logger(ILogger inner, string category, LogRedaction redaction) : ILogger
    {
        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull =>
            state is IReadOnlyList<KeyValuePair<string, object?>> values && Redact(values) is { } redacted ? inner.BeginScope(redacted) : inner.BeginScope(state);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!inner.IsEnabled(logLevel)) return;
            if (state is IReadOnlyList<KeyValuePair<string, object?>> values)
            {
                if (Redact(values) is { } redacted) inner.Log(logLevel, eventId, redacted, exception, static (s, _) => s.ToString());
                else inner.Log(logLevel, eventId, state, exception, formatter);
                return;
            }
            // A line without structure: only its text can be checked.
            var message = formatter(state, exception);
            var clean = redaction.RedactPaths(message);
            if (ReferenceEquals(clean, message)) inner.Log(logLevel, eventId, state, exception, formatter);
            else inner.Log(logLevel, eventId, clean, exception, static (s, _) => s);
        }

        /// <summary>A redacted copy of the values, or null when none needed it (the common case: no allocation).</summary>
        private RedactedValues? Redact(IReadOnlyList<KeyValuePair<string, object?>> values)
        {
            object?[]? changed = null;
            for (var i = 0; i < values.Count; i++)
            {
                var (key, value) = values[i];
                if (key == Template || value is null) continue;
                object? clean = value;
                if (LogRedaction.IsSecretField(category, key)) clean = LogRedaction.Cut(Text(value));
                else if (value is string or PathString or Uri or QueryString)
                {
                    var text = Text(value);
                    var redacted = redaction.RedactPaths(text);
                    if (!ReferenceEquals(redacted, text)) clean = redacted;
                }
                if (ReferenceEquals(clean, value)) continue;
                changed ??= new object?[values.Count];
                changed[i] = clean;
            }
            if (changed is null) return null;
            var pairs = new KeyValuePair<string, object?>[values.Count];
            for (var i = 0; i < values.Count; i++) pairs[i] = changed[i] is { } clean ? new(values[i].Key, clean) : values[i];
            return new RedactedValues(pairs);
        }

        private static string Text(object value) => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
    }

    /// <summary>Structured values after redaction; renders as the original template would have, with the redacted values.</summary>
    private sealed class RedactedValues(KeyValuePair<string, object?>[] pairs) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public KeyValuePair<string, object?> this[int index] => pairs[index];

        public int Count => pairs.Length;

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)pairs).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString()
        {
            var template = pairs.FirstOrDefault(p => p.Key == Template).Value as string;
            // A scope (the request's path and id) has no template: "Name:value" pairs, as ASP.NET Core prints its own.
            if (template is null) return string.Join(' ', pairs.Select(p => $"{p.Key}:{Format(p.Value, null)}"));
            var text = new StringBuilder(template.Length + 32);
            var next = 0;
            for (var i = 0; i < template.Length; i++)
            {
                var c = template[i];
                if (c == '{' && i + 1 < template.Length && template[i + 1] == '{') { text.Append('{'); i++; continue; }
                if (c == '}' && i + 1 < template.Length && template[i + 1] == '}') { text.Append('}'); i++; continue; }
                var close = c == '{' ? template.IndexOf('}', i + 1) : -1;
                if (close < 0) { text.Append(c); continue; }
                var hole = template.AsSpan(i + 1, close - i - 1);
                var end = hole.IndexOfAny(',', ':');
                var name = (end < 0 ? hole : hole[..end]).ToString();
                var colon = hole.IndexOf(':');
                // By name: ASP.NET Core's own states list their values in another order than the template's holes.
                var at = Array.FindIndex(pairs, p => p.Key == name);
                if (at < 0) at = next < pairs.Length && pairs[next].Key != Template ? next : -1;
                next = at + 1;
                text.Append(at < 0 ? "" : Format(pairs[at].Value, colon >= 0 ? hole[(colon + 1)..].ToString() : null));
                i = close;
            }
            return text.ToString();
        }

        private static string Format(object? value, string? format) => value switch
        {
            null => "(null)",
            string text => text,
            IFormattable formattable => formattable.ToString(format, CultureInfo.InvariantCulture),
            IEnumerable items => string.Join(", ", items.Cast<object?>().Select(item => Format(item, null))),
            _ => value.ToString() ?? "",
        };
    }
}
