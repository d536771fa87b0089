using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace SmartCrm.Tests.Infrastructure;

/// <summary>Makes records through the API, with unique names so tests sharing one database never see each other's rows.</summary>
public static class Builders
{
    /// <summary>Telemetry as a device sends it over HTTP (ThingsBoard's `POST /api/v1/{token}/telemetry`); fails unless accepted.</summary>
    public static async Task SendTelemetryAsync(this CrmApp app, string token, string body)
    {
        using var response = await app.CreateClient().PostAsync($"/api/v1/{token}/telemetry", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"Telemetry answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    public static string Unique(string prefix) => $"{prefix}{Guid.NewGuid().ToString("N")[..8]}";

    public static async Task<JsonElement> CreateAsync(this HttpClient client, string path, object body)
    {
        var response = await client.PostAsJsonAsync(path, body);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"POST {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static async Task<long> CreateCustomerAsync(this HttpClient client, string? name = null, string? email = null, string? phone = null,
        string kind = "Person", string? country = null, string[]? tags = null)
    {
        name ??= Unique("Customer ");
        var customer = await client.CreateAsync("/api/v1/customers", new
        {
            name, kind, country, tags,
            email = email ?? $"{Guid.NewGuid():N}@example.com",
            phone,
        });
        return customer.GetProperty("id").GetInt64();
    }

    public static async Task<long> CreateProductAsync(this HttpClient client, decimal price = 100m, string kind = "Device") =>
        (await client.CreateAsync("/api/v1/products", new { sku = Unique("SKU-"), name = Unique("Product "), kind, price })).GetProperty("id").GetInt64();

    public static async Task<long> CreateOrderAsync(this HttpClient client, long customerId, long productId, int quantity, DateTime orderedAt, string status = "Paid") =>
        (await client.CreateAsync("/api/v1/orders", new { customerId, orderedAt, status, lines = new[] { new { productId, quantity } } })).GetProperty("id").GetInt64();

    public static long Id(this JsonElement record) => record.GetProperty("id").GetInt64();
}

public static class DeviceBuilders
{
    /// <summary>A device through the API; returns its id and access token.</summary>
    public static async Task<(long Id, string Token)> CreateDeviceAsync(this HttpClient client, long? customerId = null, string model = "TH-100", string? name = null)
    {
        var device = await client.CreateAsync("/api/v1/devices", new { name = name ?? Builders.Unique("Thermostat "), customerId, model });
        return (device.Id(), device.GetProperty("accessToken").GetString()!);
    }
}
