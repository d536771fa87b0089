using Microsoft.AspNetCore.Http.HttpResults;

namespace SmartCrm.Records;

/// <summary>RFC 7807 answers that name what was wrong.</summary>
public static class Problems
{
    public static ProblemHttpResult NotFound(string entity, long id) =>
        TypedResults.Problem(title: $"{entity} not found", detail: $"No {entity.ToLowerInvariant()} with id {id}.", statusCode: StatusCodes.Status404NotFound,
            extensions: new Dictionary<string, object?> { ["id"] = id });

    public static ProblemHttpResult Field(string field, string message) =>
        TypedResults.Problem(title: "One or more validation errors occurred.", detail: $"{field}: {message}", statusCode: StatusCodes.Status400BadRequest,
            extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [field] = [message] } });
}
