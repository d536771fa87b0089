using System.CommandLine;
using Microsoft.EntityFrameworkCore;

namespace SmartCrm.Storage;

/// <summary>
/// `smartcrm schema-script --provider sqlite|postgres`: the CREATE script of the current EF model, the starting point
/// for the next versioned migration (dotnet-ef is not available to us). A test proves the migrations match the model.
/// </summary>
internal static class SchemaScriptCommand
{
    public static Command Create()
    {
        var provider = new Option<string>("--provider") { DefaultValueFactory = _ => "sqlite" };
        provider.AcceptOnlyFromAmong("sqlite", "postgres");
        var command = new Command("schema-script", "Print the database schema of the current model (for writing migrations)") { provider };
        command.Hidden = true;
        command.SetAction(parse =>
        {
            using var db = Model(parse.GetValue(provider) == "postgres");
            Console.WriteLine(db.Database.GenerateCreateScript());
            return 0;
        });
        return command;
    }

    public static CrmDb Model(bool postgres)
    {
        var options = new DbContextOptionsBuilder<CrmDb>();
        StorageSetup.Configure(options, postgres
            ? new StorageOptions { Database = "Host=localhost;Database=model" }
            : new StorageOptions { DataDirectory = Path.GetTempPath() });
        return new CrmDb(options.Options);
    }
}
