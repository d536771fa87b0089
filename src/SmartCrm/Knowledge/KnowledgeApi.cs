using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SmartCrm.Records;
using SmartCrm.Security;
using SmartCrm.Storage;

namespace SmartCrm.Knowledge;

public static class KnowledgeApi
{
    /// <summary>The rate limiter of the assistant: people and programs that sign in are not limited, anonymous askers are, per address.</summary>
    public const string AssistantLimiter = "assistant";

    public static IServiceCollection AddKnowledge(this IServiceCollection services)
    {
        services.AddOptions<AssistantOptions>().BindConfiguration(AssistantOptions.Section);
        services.AddSingleton<KnowledgeSearch>();
        services.AddSingleton<AnswerLearning>();
        services.AddScoped<Assistant>();
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<AssistantOptions>>((limits, assistant) => limits.AddPolicy(AssistantLimiter, context =>
            context.User.Identity?.IsAuthenticated == true
                ? RateLimitPartition.GetNoLimiter("signed-in")
                : RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = assistant.Value.AnonymousPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 })));
        return services;
    }

    public static IEndpointRouteBuilder MapKnowledgeApi(this IEndpointRouteBuilder api, TimeProvider clock)
    {
        var articles = api.MapRecords("/articles", new RecordRules<Article, ArticleInput>
        {
            ReadPermission = Permissions.CustomersRead,
            WritePermission = Permissions.KnowledgeWrite,
            Create = input => { var article = new Article { Title = "", Body = "", Language = "" }; input.ApplyTo(article, clock); return article; },
            Apply = (input, article) => input.ApplyTo(article, clock),
            Check = (input, _, _) => Task.FromResult(input.Check()),
            Search = (query, text, _) => query.Where(a => a.Title.Contains(text) || a.Body.Contains(text)),
            AfterDelete = (_, services) => services.GetRequiredService<KnowledgeSearch>().Changed(),
        });
        // A change made on this node is answered from at once; other nodes see it within a second.
        articles.AddEndpointFilter(async (context, next) =>
        {
            var result = await next(context);
            if (!HttpMethods.IsGet(context.HttpContext.Request.Method)) context.HttpContext.RequestServices.GetRequiredService<KnowledgeSearch>().Changed();
            return result;
        });
        articles.MapGet("/{id:long}/versions", async Task<Results<Ok<List<ArticleVersion>>, ProblemHttpResult>> (long id, CrmDb db, CancellationToken cancellationToken) =>
        {
            if (!await db.Set<Article>().AnyAsync(a => a.Id == id, cancellationToken)) return Problems.NotFound("Article", id);
            return TypedResults.Ok(await db.Set<ArticleVersion>().Where(v => v.ArticleId == id).OrderByDescending(v => v.Version).ToListAsync(cancellationToken));
        }).RequireAuthorization(Permissions.CustomersRead).WithName("ListArticleVersions");

        api.MapGet("/knowledge/search", async Task<Results<Ok<IReadOnlyList<PassageMatch>>, ProblemHttpResult>> (string? q, int? count, CrmDb db, KnowledgeSearch search,
            CancellationToken cancellationToken) =>
        {
            if (string.IsNullOrWhiteSpace(q)) return Problems.Field("q", "The search text is required.");
            if (count is < 1 or > 50) return Problems.Field("count", "Must be between 1 and 50.");
            var index = await search.IndexAsync(db, cancellationToken);
            return TypedResults.Ok(index.Nearest(q, count ?? 5));
        }).RequireAuthorization(Permissions.CustomersRead).WithTags("Article").WithName("SearchKnowledge");

        api.MapPost("/assistant/ask", async Task<Results<Ok<AssistantAnswer>, ProblemHttpResult>> (AssistantQuestion question, Assistant assistant, CancellationToken cancellationToken) =>
        {
            if (string.IsNullOrWhiteSpace(question.Question)) return Problems.Field("question", "The question is required.");
            return TypedResults.Ok(await assistant.AskAsync(question, cancellationToken));
        }).AllowAnonymous().RequireRateLimiting(AssistantLimiter).WithTags("Assistant").WithName("AskAssistant");
        api.MapArticleOutcomes(clock);
        return api;
    }
}
