namespace SmartCrm.Import;

public static class ImportSetup
{
    public static IServiceCollection AddImport(this IServiceCollection services)
    {
        services.AddScoped<Importer>();
        services.AddSingleton<ImportQueue>();
        services.AddSingleton<ImportUploads>();
        return services;
    }
}
