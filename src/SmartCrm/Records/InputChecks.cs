using System.Globalization;
using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace SmartCrm.Records;

/// <summary>
/// The checks every API endpoint's input gets before its handler runs, whatever the endpoint: query parameters, form fields
/// and the JSON body are free of text no store can keep (<see cref="InputText"/>) and within their bounds, the body's
/// annotations hold (<see cref="RecordApi.Validate"/>). Bad input answers 400 problem+json naming each field.
/// </summary>
public static class InputChecks
{
    /// <summary>Longest query parameter value; a search or a filter is never longer.</summary>
    public const int MaxQueryValue = 1000;

    /// <summary>Most query parameters a request may carry.</summary>
    public const int MaxQueryParameters = 50;

    public static TBuilder CheckInput<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        // A convention rather than AddEndpointFilterFactory: the filter needs the endpoint's metadata (which parameter is the body).
        builder.Add(endpoint => endpoint.FilterFactories.Add((context, next) =>
        {
            var parameters = context.MethodInfo.GetParameters();
            var accepts = endpoint.Metadata.OfType<IAcceptsMetadata>().LastOrDefault();
            var json = accepts is { RequestType: not null } && accepts.ContentTypes.Any(c => c.Contains("json", StringComparison.OrdinalIgnoreCase));
            var body = json ? Array.FindIndex(parameters, p => (Nullable.GetUnderlyingType(p.ParameterType) ?? p.ParameterType) == accepts!.RequestType) : -1;
            var form = parameters.Select((p, i) => (Parameter: p, Index: i))
                .Where(p => p.Parameter.ParameterType == typeof(string) && p.Parameter.GetCustomAttribute<FromFormAttribute>() is not null)
                .Select(p => (Name: p.Parameter.GetCustomAttribute<FromFormAttribute>()!.Name ?? p.Parameter.Name!, p.Index)).ToArray();
            return async invocation =>
            {
                var errors = Query(invocation.HttpContext.Request.Query);
                foreach (var (name, index) in form)
                {
                    if (invocation.Arguments[index] is string value && InputText.Problem(value) is { } problem) errors[name] = [problem];
                }
                if (body >= 0 && invocation.Arguments[body] is { } input)
                {
                    foreach (var (key, messages) in input is System.Text.Json.JsonElement element ? Json(element) : RecordApi.Validate(input)) errors[key] = messages;
                }
                return errors.Count > 0 ? TypedResults.ValidationProblem(errors) : await next(invocation);
            };
        }));
        return builder;
    }

    private static Dictionary<string, string[]> Json(System.Text.Json.JsonElement element)
    {
        var errors = new Dictionary<string, string[]>();
        InputText.CheckJson(element, "", errors);
        return errors;
    }

    private static Dictionary<string, string[]> Query(IQueryCollection query)
    {
        var errors = new Dictionary<string, string[]>();
        if (query.Count > MaxQueryParameters)
        {
            errors["$query"] = [string.Create(CultureInfo.InvariantCulture, $"At most {MaxQueryParameters} query parameters.")];
            return errors;
        }
        foreach (var (key, values) in query)
        {
            var name = InputText.Problem(key) is null && key.Length <= 100 ? key : "$query";
            if (name != key)
            {
                errors[name] = ["A query parameter's name is not valid text or longer than 100 characters."];
                continue;
            }
            foreach (var value in values)
            {
                if (value is null) continue;
                if (InputText.Problem(value) is { } problem) errors[name] = [problem];
                else if (value.Length > MaxQueryValue) errors[name] = [string.Create(CultureInfo.InvariantCulture, $"Longer than {MaxQueryValue:N0} characters.")];
            }
        }
        return errors;
    }
}
