using SmartCrm.Customers;

namespace SmartCrm.Import;

public static class ImportSetup
{
    public static IServiceCollection AddImport(this IServiceCollection services)
    {
        services.AddScoped<Importer>();
        services.AddScoped<CustomerMerger>();
        services.AddScoped<DuplicateScan>();
        services.AddSingleton<ImportQueue>();
        services.AddSingleton<ImportUploads>();
        return services;
    }
}
