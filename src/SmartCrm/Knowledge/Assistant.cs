using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SmartCrm.Customers;
using SmartCrm.Records;
using SmartCrm.Storage;
using SmartCrm.Tickets;

namespace SmartCrm.Knowledge;

/// <summary>
/// The FAQ assistant: answers with the best-matching passage of the published articles when it is near enough (the threshold),
/// otherwise opens a question ticket with the conversation so a person answers. The asker is found by e-mail among the
/// customers, or becomes a new customer tagged "lead".
/// </summary>
public sealed class Assistant(CrmDb db, KnowledgeSearch search, AnswerLearning learning, IOptions<AssistantOptions> options, TimeProvider clock, ILogger<Assistant> logger)
{
    public const string LeadTag = "lead";

    public async Task<AssistantAnswer> AskAsync(AssistantQuestion input, CancellationToken cancellationToken)
    {
        var question = input.Question!.Trim();
        var index = await search.IndexAsync(db, cancellationToken);
        // Agents' marks on earlier answers move the match (AnswerLearning); without marks it is the index's own best.
        var best = await learning.AdjustAsync(db, index, question, index.Best(question), cancellationToken);
        var threshold = options.Value.ThresholdFor(index);
        if (best is not null && best.Similarity >= threshold)
        {
            var version = await db.Set<Article>().Where(a => a.Id == best.ArticleId).Select(a => a.Version).FirstOrDefaultAsync(cancellationToken);
            return new AssistantAnswer { Answer = best.Passage, Confidence = best.Similarity, Source = new AnswerSource(best.ArticleId, best.Title, version) };
        }

        var customerId = await CustomerAsync(input, cancellationToken);
        var ticket = new Ticket { Subject = "" };
        new TicketInput
        {
            CustomerId = customerId, Kind = TicketKind.Question, Status = TicketStatus.New,
            Subject = question.Length <= 300 ? question : question[..297] + "...",
            Description = $"Asked the FAQ assistant: {question}\n"
                + (best is null ? "No article matched." : $"Nearest article: \"{best.Title}\" (similarity {best.Similarity:0.###}, below {threshold:0.###})."),
        }.ApplyTo(ticket, clock);
        db.Tickets.Add(ticket);
        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("Assistant handed a question to a person as ticket {Ticket}", ticket.Id);
        return new AssistantAnswer { Handoff = true, TicketId = ticket.Id, Confidence = best?.Similarity ?? 0 };
    }

    private async Task<long> CustomerAsync(AssistantQuestion input, CancellationToken cancellationToken)
    {
        var email = Normalise.Email(input.Email);
        if (await CustomerDuplicates.FindByEmailAsync(db, email, cancellationToken) is { } id) return id;
        var customer = new Customer
        {
            Name = string.IsNullOrWhiteSpace(input.Name) ? "Chat visitor" : input.Name.Trim(),
            Email = email,
            Tags = [LeadTag, "chat"],
        };
        db.Customers.Add(customer);
        await db.SaveChangesAsync(cancellationToken);
        return customer.Id;
    }
}
