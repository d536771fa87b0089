using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using SmartCrm.Security;

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
        return app;
    }

    public static FileContentHttpResult Csv(Figure figure, string fileName) =>
        TypedResults.File(Encoding.UTF8.GetBytes(figure.ToCsv()), "text/csv; charset=utf-8", fileName + ".csv");
}
