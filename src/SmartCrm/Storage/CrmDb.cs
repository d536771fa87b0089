using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using SmartCrm.Alarms;
using SmartCrm.Campaigns;
using SmartCrm.Catalog;
using SmartCrm.Chat;
using SmartCrm.Devices;
using SmartCrm.Customers;
using SmartCrm.Import;
using SmartCrm.Insights;
using SmartCrm.Interactions;
using SmartCrm.Baskets;
using SmartCrm.Forecasts;
using SmartCrm.Knowledge;
using SmartCrm.Models;
using SmartCrm.Orders;
using SmartCrm.Recommendations;
using SmartCrm.Sales;
using SmartCrm.Security;
using SmartCrm.Service;
using SmartCrm.Tickets;
using SmartCrm.Triage;

namespace SmartCrm.Storage;

/// <summary>The CRM's records. Every save writes the audit log in the same transaction.</summary>
public sealed class CrmDb(DbContextOptions<CrmDb> options) : DbContext(options)
{
    /// <summary>Who the audit log names for this context's saves.</summary>
    public Actor Actor { get; set; } = new();

    public TimeProvider Clock { get; set; } = TimeProvider.System;

    public DbSet<Customer> Customers => Set<Customer>();
    public DbSet<Contact> Contacts => Set<Contact>();
    public DbSet<Consent> Consents => Set<Consent>();
    public DbSet<Note> Notes => Set<Note>();
    public DbSet<Product> Products => Set<Product>();
    public DbSet<Order> Orders => Set<Order>();
    public DbSet<OrderLine> OrderLines => Set<OrderLine>();
    public DbSet<Interaction> Interactions => Set<Interaction>();
    public DbSet<Opportunity> Opportunities => Set<Opportunity>();
    public DbSet<Ticket> Tickets => Set<Ticket>();
    public DbSet<TicketMessage> TicketMessages => Set<TicketMessage>();
    public DbSet<User> Users => Set<User>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<UserSession> UserSessions => Set<UserSession>();
    public DbSet<AuditEntry> AuditLog => Set<AuditEntry>();
    public DbSet<Device> Devices => Set<Device>();
    public DbSet<Card> Cards => Set<Card>();
    public DbSet<ProvisioningProfile> ProvisioningProfiles => Set<ProvisioningProfile>();
    public DbSet<Alarm> Alarms => Set<Alarm>();
    public DbSet<AlarmEvent> AlarmEvents => Set<AlarmEvent>();
    public DbSet<AlarmRule> AlarmRules => Set<AlarmRule>();
    // The importer's runs, and where customers came from, which may be one person, and who was merged into whom (migration V3).
    public DbSet<ImportRun> ImportRuns => Set<ImportRun>();
    public DbSet<ImportProblem> ImportProblems => Set<ImportProblem>();
    public DbSet<CustomerSource> CustomerSources => Set<CustomerSource>();
    public DbSet<DuplicateCandidate> DuplicateCandidates => Set<DuplicateCandidate>();
    public DbSet<CustomerMerge> CustomerMerges => Set<CustomerMerge>();
    public DbSet<Rating> Ratings => Set<Rating>();
    // The model registry and its training runs (migration V11).
    public DbSet<ModelVersion> ModelVersions => Set<ModelVersion>();
    public DbSet<TrainingRun> TrainingRuns => Set<TrainingRun>();
    // Stored insights: churn scores with their reasons (migration V13).
    public DbSet<ChurnScore> ChurnScores => Set<ChurnScore>();
    public DbSet<Segment> Segments => Set<Segment>();
    // Campaigns, their variants and who was in which group at launch (migration V18).
    public DbSet<Campaign> Campaigns => Set<Campaign>();
    public DbSet<CampaignVariant> CampaignVariants => Set<CampaignVariant>();
    public DbSet<CampaignMember> CampaignMembers => Set<CampaignMember>();

    // Stored recommendations of the active model version and the feedback on them (migration V17).
    public DbSet<Recommendation> Recommendations => Set<Recommendation>();
    public DbSet<RecommendationFeedback> RecommendationFeedback => Set<RecommendationFeedback>();

    // The active basket rules (migration V12).
    public DbSet<BasketRule> BasketRules => Set<BasketRule>();
    public DbSet<CustomerSuggestion> CustomerSuggestions => Set<CustomerSuggestion>();

    // Forecasts of the active forecast models, with their weeks (migration V16).
    public DbSet<ForecastSeries> ForecastSeries => Set<ForecastSeries>();
    public DbSet<ForecastPoint> ForecastPoints => Set<ForecastPoint>();

    // Triage decisions with their reasons, and the versions of the category model (migration V10).
    public DbSet<TriageDecision> TriageDecisions => Set<TriageDecision>();
    // Knowledge-base articles and each saved version of them (migration V10).
    public DbSet<Article> Articles => Set<Article>();
    public DbSet<ArticleVersion> ArticleVersions => Set<ArticleVersion>();
    // Agents' marks on the assistant's answers, articles used on tickets, customer chats (migration V14).
    public DbSet<AnswerFeedback> AnswerFeedback => Set<AnswerFeedback>();
    public DbSet<ArticleUse> ArticleUses => Set<ArticleUse>();
    public DbSet<ChatSession> ChatSessions => Set<ChatSession>();
    public DbSet<ChatEntry> ChatEntries => Set<ChatEntry>();
    // The desk's configuration and outbox: SLA policies, queues, agents' skills, saved list views, replies to send (migration V15).
    public DbSet<SlaPolicy> SlaPolicies => Set<SlaPolicy>();
    public DbSet<TicketQueue> TicketQueues => Set<TicketQueue>();
    public DbSet<AgentSkill> AgentSkills => Set<AgentSkill>();
    public DbSet<SavedView> SavedViews => Set<SavedView>();
    public DbSet<OutboundMessage> OutboundMessages => Set<OutboundMessage>();

    /// <summary>Bulk loads (demo data, imports with their own report) switch the per-row audit off.</summary>
    public bool AuditEnabled { get; set; } = true;

    public bool IsSqlite => Database.ProviderName == "Microsoft.EntityFrameworkCore.Sqlite";

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<Enum>().HaveConversion<string>().HaveMaxLength(20);
        if (Database.ProviderName == "Microsoft.EntityFrameworkCore.Sqlite")
        {
            // SQLite has no decimal type and EF cannot sum or sort decimals stored as text; money is kept as REAL there.
            configurationBuilder.Properties<decimal>().HaveConversion<double>();
        }
        else
        {
            configurationBuilder.Properties<decimal>().HavePrecision(18, 2);
        }
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Customer>(e =>
        {
            e.ToTable("customers");
            e.HasIndex(c => c.Email);
            e.HasIndex(c => c.Phone);
            e.HasIndex(c => c.Name);
            e.HasIndex(c => c.UpdatedAt);
            e.HasMany(c => c.Contacts).WithOne(c => c.Customer).HasForeignKey(c => c.CustomerId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<Contact>().ToTable("contacts");
        modelBuilder.Entity<Consent>(e =>
        {
            e.ToTable("consents");
            e.HasOne<Customer>().WithMany().HasForeignKey(c => c.CustomerId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(c => new { c.CustomerId, c.Purpose });
        });
        modelBuilder.Entity<Note>(e =>
        {
            e.ToTable("notes");
            e.HasOne<Customer>().WithMany().HasForeignKey(n => n.CustomerId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<Product>(e =>
        {
            e.ToTable("products");
            e.HasIndex(p => p.Sku).IsUnique();
        });
        modelBuilder.Entity<Order>(e =>
        {
            e.ToTable("orders");
            e.HasOne<Customer>().WithMany().HasForeignKey(o => o.CustomerId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(o => new { o.CustomerId, o.OrderedAt });
            e.HasIndex(o => o.OrderedAt);
            e.HasMany(o => o.Lines).WithOne(l => l.Order).HasForeignKey(l => l.OrderId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<OrderLine>(e =>
        {
            e.ToTable("order_lines");
            e.HasOne<Product>().WithMany().HasForeignKey(l => l.ProductId).OnDelete(DeleteBehavior.Restrict);
        });
        modelBuilder.Entity<Interaction>(e =>
        {
            e.ToTable("interactions");
            e.HasOne<Customer>().WithMany().HasForeignKey(i => i.CustomerId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(i => new { i.CustomerId, i.OccurredAt });
        });
        modelBuilder.Entity<Opportunity>(e =>
        {
            e.ToTable("opportunities");
            e.HasOne<Customer>().WithMany().HasForeignKey(o => o.CustomerId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(o => o.CustomerId);
            e.HasIndex(o => o.Stage);
        });
        modelBuilder.Entity<Ticket>(e =>
        {
            e.ToTable("tickets");
            e.HasOne<Customer>().WithMany().HasForeignKey(t => t.CustomerId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(t => new { t.CustomerId, t.Status });
            e.HasIndex(t => t.Status);
            // One ticket per alarm, even when two nodes escalate the same alarm at once (the second insert fails).
            e.HasOne<Alarm>().WithOne().HasForeignKey<Ticket>(t => t.AlarmId).OnDelete(DeleteBehavior.SetNull);
            e.HasIndex(t => new { t.Assignee, t.Status });
            // The ticket list's sorts at 100,000 tickets (migration V20): a page reads its rows from the index, not a sort of all.
            e.HasIndex(t => new { t.CreatedAt, t.Id });
            e.HasIndex(t => new { t.UpdatedAt, t.Id });
            e.HasIndex(t => new { t.Priority, t.Id });
            e.HasIndex(t => new { t.Status, t.UpdatedAt, t.Id });
        });
        modelBuilder.Entity<TicketMessage>(e =>
        {
            e.ToTable("ticket_messages");
            e.HasOne<Ticket>().WithMany().HasForeignKey(m => m.TicketId).OnDelete(DeleteBehavior.Cascade);
            // A key (migration V21), so EF writes the timeline entry before its message in the same save.
            e.HasOne<Interaction>().WithMany().HasForeignKey(m => m.InteractionId).OnDelete(DeleteBehavior.SetNull);
            e.HasIndex(m => new { m.TicketId, m.CreatedAt });
            e.HasIndex(m => m.ExternalId);
        });
        modelBuilder.Entity<User>(e =>
        {
            e.ToTable("users");
            e.HasIndex(u => u.UserName).IsUnique();
        });
        modelBuilder.Entity<ApiKey>(e =>
        {
            e.ToTable("api_keys");
            e.HasIndex(k => k.Hash).IsUnique();
        });
        modelBuilder.Entity<UserSession>(e =>
        {
            e.ToTable("user_sessions");
            // A deleted user's sessions go with it: a new user of the same name must not inherit an old cookie.
            e.HasOne<User>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(s => s.KeyHash).IsUnique();
            e.HasIndex(s => s.UserId);
        });
        modelBuilder.Entity<AuditEntry>(e =>
        {
            e.ToTable("audit_log");
            e.HasIndex(a => new { a.Entity, a.EntityId });
        });
        modelBuilder.Entity<Device>(e =>
        {
            e.ToTable("devices");
            e.HasOne<Customer>().WithMany().HasForeignKey(d => d.CustomerId).OnDelete(DeleteBehavior.SetNull);
            e.HasIndex(d => d.TokenHash).IsUnique();
            e.HasIndex(d => d.CustomerId);
            e.HasIndex(d => d.Model);
        });
        modelBuilder.Entity<ProvisioningProfile>(e =>
        {
            e.ToTable("provisioning_profiles");
            e.HasOne<Customer>().WithMany().HasForeignKey(p => p.CustomerId).OnDelete(DeleteBehavior.SetNull);
            e.HasIndex(p => p.Key).IsUnique();
        });
        modelBuilder.Entity<Card>(e =>
        {
            e.ToTable("cards");
            e.HasOne<Customer>().WithMany().HasForeignKey(c => c.CustomerId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(c => c.Uid).IsUnique();
        });
        modelBuilder.Entity<Alarm>(e =>
        {
            e.ToTable("alarms");
            e.HasOne<Device>().WithMany().HasForeignKey(a => a.DeviceId).OnDelete(DeleteBehavior.Cascade);
            // One open alarm of a type per device, even when several nodes see the same condition at once.
            e.HasIndex(a => new { a.DeviceId, a.Type }).IsUnique().HasFilter("\"ClearedAt\" IS NULL").HasDatabaseName("IX_alarms_open");
            e.HasIndex(a => new { a.Status, a.Severity });
            e.HasIndex(a => a.CustomerId);
        });
        modelBuilder.Entity<AlarmEvent>(e =>
        {
            e.ToTable("alarm_events");
            e.HasOne<Alarm>().WithMany().HasForeignKey(a => a.AlarmId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(a => a.AlarmId);
        });
        modelBuilder.Entity<AlarmRule>(e =>
        {
            e.ToTable("alarm_rules");
            e.HasIndex(r => new { r.Model, r.Key });
        });
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
        modelBuilder.Entity<ModelVersion>(e =>
        {
            e.ToTable("model_versions");
            e.HasIndex(v => new { v.Kind, v.Version }).IsUnique();
            e.HasIndex(v => new { v.Kind, v.Active });
        });
        modelBuilder.Entity<BasketRule>(e =>
        {
            e.ToTable("basket_rules");
            e.Property(r => r.Antecedent).HasMaxLength(400);
            e.Property(r => r.Consequent).HasMaxLength(400);
            e.HasIndex(r => r.Antecedent);
            e.HasIndex(r => r.Lift);
        });
        modelBuilder.Entity<CustomerSuggestion>(e =>
        {
            e.ToTable("customer_suggestions");
            e.HasOne<Customer>().WithMany().HasForeignKey(s => s.CustomerId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<BasketRule>().WithMany().HasForeignKey(s => s.RuleId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(s => new { s.CustomerId, s.Rank });
        });
        modelBuilder.Entity<ForecastSeries>(e =>
        {
            e.ToTable("forecast_series");
            e.HasIndex(s => new { s.Kind, s.SubjectId }).IsUnique();
            e.HasIndex(s => new { s.Kind, s.DueAt });
        });
        modelBuilder.Entity<ForecastPoint>(e =>
        {
            e.ToTable("forecast_points");
            e.HasOne<ForecastSeries>().WithMany().HasForeignKey(p => p.SeriesId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(p => new { p.SeriesId, p.Week });
        });
        modelBuilder.Entity<TrainingRun>(e =>
        {
            e.ToTable("training_runs");
            e.HasIndex(r => new { r.State, r.Kind });
        });
        modelBuilder.Entity<Recommendation>(e =>
        {
            e.ToTable("recommendations");
            e.HasOne<Customer>().WithMany().HasForeignKey(r => r.CustomerId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(r => new { r.CustomerId, r.Rank });
        });
        modelBuilder.Entity<RecommendationFeedback>(e =>
        {
            e.ToTable("recommendation_feedback");
            e.HasOne<Customer>().WithMany().HasForeignKey(f => f.CustomerId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Product>().WithMany().HasForeignKey(f => f.ProductId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(f => new { f.CustomerId, f.ProductId });
        });
        modelBuilder.Entity<ChurnScore>(e =>
        {
            e.ToTable("churn_scores");
            e.Property(s => s.CustomerId).ValueGeneratedNever();
            e.HasOne<Customer>().WithMany().HasForeignKey(s => s.CustomerId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<Customer>().HasIndex(c => c.ChurnScore);
        modelBuilder.Entity<Customer>().HasIndex(c => c.Segment);
        modelBuilder.Entity<Segment>().ToTable("segments");
        modelBuilder.Entity<Campaign>(e =>
        {
            e.ToTable("campaigns");
            e.HasMany(c => c.Variants).WithOne().HasForeignKey(v => v.CampaignId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<CampaignVariant>().ToTable("campaign_variants");
        modelBuilder.Entity<CampaignMember>(e =>
        {
            e.ToTable("campaign_members");
            e.HasOne<Campaign>().WithMany().HasForeignKey(m => m.CampaignId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Customer>().WithMany().HasForeignKey(m => m.CustomerId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(m => new { m.CampaignId, m.CustomerId }).IsUnique();
        });
        modelBuilder.Entity<TriageDecision>(e =>
        {
            e.ToTable("triage_decisions");
            e.HasOne<Ticket>().WithMany().HasForeignKey(d => d.TicketId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(d => d.TicketId).IsUnique();
            e.HasIndex(d => d.Category);
        });
        modelBuilder.Entity<Article>(e =>
        {
            e.ToTable("articles");
            e.HasMany(a => a.Versions).WithOne().HasForeignKey(v => v.ArticleId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(a => new { a.Published, a.UpdatedAt });
            e.HasIndex(a => a.Category);
        });
        modelBuilder.Entity<ArticleVersion>(e =>
        {
            e.ToTable("article_versions");
            e.HasIndex(v => new { v.ArticleId, v.Version }).IsUnique();
        });
        modelBuilder.Entity<AnswerFeedback>(e =>
        {
            e.ToTable("answer_feedback");
            e.HasOne<Article>().WithMany().HasForeignKey(f => f.ArticleId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(f => f.ArticleId);
        });
        modelBuilder.Entity<ArticleUse>(e =>
        {
            e.ToTable("article_uses");
            e.HasOne<Article>().WithMany().HasForeignKey(u => u.ArticleId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Ticket>().WithMany().HasForeignKey(u => u.TicketId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(u => new { u.ArticleId, u.TicketId }).IsUnique();
            e.HasIndex(u => u.TicketId);
        });
        modelBuilder.Entity<ChatSession>(e =>
        {
            e.ToTable("chat_sessions");
            e.HasIndex(s => s.TokenHash).IsUnique();
            e.HasIndex(s => s.TicketId);
            e.HasOne<Customer>().WithMany().HasForeignKey(s => s.CustomerId).OnDelete(DeleteBehavior.SetNull);
        });
        modelBuilder.Entity<ChatEntry>(e =>
        {
            e.ToTable("chat_entries");
            e.HasOne<ChatSession>().WithMany().HasForeignKey(c => c.SessionId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(c => new { c.SessionId, c.Id });
            e.HasIndex(c => c.TicketId);
        });
        modelBuilder.Entity<SlaPolicy>(e =>
        {
            e.ToTable("sla_policies");
            e.HasIndex(p => new { p.Priority, p.Tier }).IsUnique();
        });
        modelBuilder.Entity<TicketQueue>(e =>
        {
            e.ToTable("ticket_queues");
            e.HasIndex(q => q.Name).IsUnique();
        });
        modelBuilder.Entity<Ticket>(e =>
        {
            e.HasOne<TicketQueue>().WithMany().HasForeignKey(t => t.QueueId).OnDelete(DeleteBehavior.SetNull);
            e.HasIndex(t => t.MergedIntoId);
        });
        modelBuilder.Entity<AgentSkill>(e =>
        {
            e.ToTable("agent_skills");
            e.HasIndex(s => new { s.UserName, s.Skill }).IsUnique();
        });
        modelBuilder.Entity<SavedView>(e =>
        {
            e.ToTable("saved_views");
            e.HasIndex(v => new { v.UserName, v.Page, v.Name }).IsUnique();
        });
        modelBuilder.Entity<OutboundMessage>(e =>
        {
            e.ToTable("outbound_messages");
            e.HasOne<Ticket>().WithMany().HasForeignKey(m => m.TicketId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(m => new { m.Status, m.NextAttemptAt });
            e.HasIndex(m => m.TicketId);
        });
        MarkSecrets(modelBuilder);
    }

    private const string SecretAnnotation = "SmartCrm:Secret";

    /// <summary>Looks for [Secret] once, when the model is built, instead of on every save.</summary>
    private static void MarkSecrets(ModelBuilder modelBuilder)
    {
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                if (property.PropertyInfo?.IsDefined(typeof(SecretAttribute), inherit: true) == true) property.SetAnnotation(SecretAnnotation, true);
            }
        }
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess) =>
        SaveChangesAsync(acceptAllChangesOnSuccess).GetAwaiter().GetResult();

    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        Stamp();
        var changes = AuditEnabled ? Capture() : [];
        if (changes.Count == 0) return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);

        // Ids of new rows exist only after the first save, so the audit rows go in a second save inside one transaction.
        var owns = Database.CurrentTransaction is null;
        await using var transaction = owns ? await Database.BeginTransactionAsync(cancellationToken) : null;
        var written = await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        var now = Clock.GetUtcNow().UtcDateTime;
        foreach (var (entry, action, captured) in changes)
        {
            // A new row's values are read once it is written: a reference to another new row held that row's temporary id until then.
            var values = action == nameof(EntityState.Added) ? AddedValues(entry) : captured;
            AuditLog.Add(new AuditEntry
            {
                At = now,
                Actor = Actor.Name,
                Action = action,
                Entity = entry.Metadata.ClrType.Name,
                EntityId = entry.Property("Id").CurrentValue is long id ? id : 0,
                Changes = values.Count == 0 ? null : JsonSerializer.Serialize(values),
            });
        }
        await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        if (transaction is not null) await transaction.CommitAsync(cancellationToken);
        return written;
    }

    /// <summary>CreatedAt on new rows (unless given), UpdatedAt on every change.</summary>
    private void Stamp()
    {
        var now = Clock.GetUtcNow().UtcDateTime;
        foreach (var entry in ChangeTracker.Entries())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified)) continue;
            var created = entry.Metadata.FindProperty("CreatedAt");
            var updated = entry.Metadata.FindProperty("UpdatedAt");
            if (entry.State == EntityState.Added && created is not null && entry.Property(created.Name).CurrentValue is DateTime { Ticks: 0 })
                entry.Property(created.Name).CurrentValue = now;
            if (updated is not null && (entry.State == EntityState.Modified || entry.Property(updated.Name).CurrentValue is DateTime { Ticks: 0 }))
                entry.Property(updated.Name).CurrentValue = now;
        }
    }

    private static Dictionary<string, object?[]> AddedValues(EntityEntry entry)
    {
        var values = new Dictionary<string, object?[]>();
        foreach (var p in entry.Properties)
        {
            if (p.Metadata.Name == "Id" || p.Metadata.FindAnnotation(SecretAnnotation) is not null || p.CurrentValue is null) continue;
            values[p.Metadata.Name] = [null, p.CurrentValue];
        }
        return values;
    }

    private List<(EntityEntry Entry, string Action, Dictionary<string, object?[]> Values)> Capture()
    {
        var list = new List<(EntityEntry, string, Dictionary<string, object?[]>)>();
        foreach (var entry in ChangeTracker.Entries())
        {
            if (entry.Entity is AuditEntry || entry.State is EntityState.Unchanged or EntityState.Detached) continue;
            var values = new Dictionary<string, object?[]>();
            foreach (var p in entry.Properties)
            {
                if (p.Metadata.Name == "Id" || p.Metadata.FindAnnotation(SecretAnnotation) is not null) continue;
                switch (entry.State)
                {
                    case EntityState.Modified when p.IsModified && !Equals(p.OriginalValue, p.CurrentValue):
                        values[p.Metadata.Name] = [p.OriginalValue, p.CurrentValue];
                        break;
                    case EntityState.Deleted:
                        values[p.Metadata.Name] = [p.OriginalValue, null];
                        break;
                }
            }
            if (entry.State == EntityState.Modified && values.Count == 0) continue;
            list.Add((entry, entry.State.ToString(), values));
        }
        return list;
    }
}
