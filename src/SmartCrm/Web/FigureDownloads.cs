using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Records;
using SmartCrm.Security;
using SmartCrm.Storage;

namespace SmartCrm.Web;

/// <summary>The numbers behind the console's charts as CSV, for the people who may see the charts (cookie or API key).</summary>
public static class FigureDownloads
{
    public static WebApplication MapFigureDownloads(this WebApplication app)
    {
        app.MapGet("/dashboard/{name}.csv", async Task<Results<FileContentHttpResult, NotFound>> (string name, DashboardFigures figures, CancellationToken cancellationToken) =>
        {
            if (!DashboardFigures.Names.Contains(name, StringComparer.Ordinal)) return TypedResults.NotFound();
            return Csv(await figures.ReadAsync(name, cancellationToken), name);
        }).RequireAuthorization(Permissions.CustomersRead).ExcludeFromDescription();

        // GET /devices/{id}/history.csv?key=K&range=hour|day|week|month|custom[&from=LOCAL&to=LOCAL]: the device page's chart of K.
        app.MapGet("/devices/{id:long}/history.csv", async Task<Results<FileContentHttpResult, ProblemHttpResult>> (long id, string? key, string? range,
            string? from, string? to, CrmDb db, DeviceHistory history, CancellationToken cancellationToken) =>
        {
            if (!await db.Devices.AnyAsync(d => d.Id == id, cancellationToken)) return Problems.NotFound("Device", id);
            if (key is not { Length: > 0 and <= 100 }) return Problems.Field("key", "Name the key whose history to read (key=temperature).");
            var (window, problem) = history.Window(range, from, to);
            if (window is null) return Problems.Field("from", problem!);
            var figure = (await history.ReadAsync(id, [key], window, cancellationToken))[0];
            return Csv(figure, string.Create(CultureInfo.InvariantCulture, $"device-{id}-history"));
        }).RequireAuthorization(Permissions.CustomersRead).ExcludeFromDescription();
        return app;
    }

    public static FileContentHttpResult Csv(Figure figure, string fileName) =>
        TypedResults.File(Encoding.UTF8.GetBytes(figure.ToCsv()), "text/csv; charset=utf-8", fileName + ".csv");
}
