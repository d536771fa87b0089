using Microsoft.EntityFrameworkCore;
using SmartCrm.Catalog;
using SmartCrm.Customers;

namespace SmartCrm.Import;

/// <summary>Tables of the importer, customer sources, duplicate candidates, merges and ratings (migration V3).</summary>
internal static class ImportModel
{
    public static void Configure(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<ImportRun>(e =>
        {
            e.ToTable("import_runs");
            e.HasIndex(r => new { r.Fingerprint, r.Kind });
        });
        modelBuilder.Entity<ImportProblem>(e =>
        {
            e.ToTable("import_problems");
            e.HasOne<ImportRun>().WithMany().HasForeignKey(p => p.RunId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(p => new { p.RunId, p.Line });
        });
        modelBuilder.Entity<CustomerSource>(e =>
        {
            e.ToTable("customer_sources");
            e.HasOne<Customer>().WithMany().HasForeignKey(s => s.CustomerId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(s => new { s.System, s.ExternalId }).IsUnique();
            e.HasIndex(s => s.CustomerId);
        });
        modelBuilder.Entity<DuplicateCandidate>(e =>
        {
            e.ToTable("duplicate_candidates");
            e.HasOne<Customer>().WithMany().HasForeignKey(d => d.CustomerId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Customer>().WithMany().HasForeignKey(d => d.OtherId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(d => d.OtherId);
            e.HasIndex(d => new { d.CustomerId, d.OtherId }).IsUnique();
            e.HasIndex(d => new { d.Status, d.Score });
        });
        modelBuilder.Entity<CustomerMerge>(e =>
        {
            e.ToTable("customer_merges");
            e.HasIndex(m => m.SurvivorId);
            e.HasIndex(m => m.MergedId);
        });
        modelBuilder.Entity<Rating>(e =>
        {
            e.ToTable("ratings");
            e.HasOne<Customer>().WithMany().HasForeignKey(r => r.CustomerId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Product>().WithMany().HasForeignKey(r => r.ProductId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(r => new { r.CustomerId, r.ProductId });
            e.HasIndex(r => r.ProductId);
        });
    }
}
