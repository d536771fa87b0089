namespace SmartCrm.Backup;

public static class BackupSetup
{
    /// <summary>The server holds the data folder's lock while it runs, so a restore cannot swap the database under it.</summary>
    public static IServiceCollection AddBackup(this IServiceCollection services) => services.AddHostedService<DataFolderGuard>();
}
