using System.Text.Json;
using System.Text.Json.Serialization;

namespace SmartCrm.Records;

/// <summary>A string property that holds a JSON document (attributes, details) and travels as that JSON, not as a quoted string.</summary>
public sealed class RawJsonConverter : JsonConverter<string>
{
    public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return document.RootElement.GetRawText();
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteRawValue(value, skipInputValidation: true);
}
