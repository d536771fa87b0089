using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using SmartCrm.Records;
using SmartCrm.Security;
using SmartCrm.Storage;

namespace SmartCrm.Customers;

public static class CustomersApi
{
    public static IServiceCollection AddCustomers(this IServiceCollection services)
    {
        services.AddScoped<CustomerMerger>();
        services.AddScoped<DuplicateScan>();
        return services;
    }

    public static IEndpointRouteBuilder MapCustomersApi(this IEndpointRouteBuilder api)
    {
        api.MapRecords("/customers", new RecordRules<Customer, CustomerInput>
        {
            ReadPermission = Permissions.CustomersRead,
            WritePermission = Permissions.CustomersWrite,
            Create = input => input.ToCustomer(),
            Apply = (input, customer) => input.ApplyTo(customer),
            Search = (query, text, db) => CustomerSearch.Apply(query, text, db),
            SearchFirst = CustomerSearch.ApplyFirst,
            SearchCount = CustomerSearch.CountAsync,
            Detail = query => query.Include(c => c.Contacts),
            BeforeCreate = async (input, http, db, cancellationToken) =>
            {
                if (bool.TryParse(http.Request.Query["allowDuplicate"], out var allow) && allow) return null;
                var existing = await CustomerDuplicates.FindByEmailAsync(db, input.Email, cancellationToken);
                return existing is null ? null : TypedResults.Problem(
                    title: "A customer with this email exists",
                    detail: $"Customer {existing} already has the email {Normalise.Email(input.Email)}. Send allowDuplicate=true to create another one.",
                    statusCode: StatusCodes.Status409Conflict,
                    extensions: new Dictionary<string, object?> { ["existingId"] = existing, ["field"] = "email" });
            },
        });

        api.MapRecords("/contacts", new RecordRules<Contact, ContactInput>
        {
            ReadPermission = Permissions.CustomersRead,
            WritePermission = Permissions.CustomersWrite,
            Create = input => { var c = new Contact { Name = "" }; input.ApplyTo(c); return c; },
            Apply = (input, contact) => input.ApplyTo(contact),
            Check = (input, db, cancellationToken) => CustomerReference.CheckAsync(input.CustomerId, db, cancellationToken),
            Search = (query, text, _) => query.Where(c => c.Name.Contains(text) || (c.Email != null && c.Email.Contains(text))),
        });

        api.MapRecords("/consents", new RecordRules<Consent, ConsentInput>
        {
            ReadPermission = Permissions.CustomersRead,
            WritePermission = Permissions.CustomersWrite,
            Create = input => { var c = new Consent(); input.ApplyTo(c); return c; },
            Apply = (input, consent) => input.ApplyTo(consent),
            Check = (input, db, cancellationToken) => CustomerReference.CheckAsync(input.CustomerId, db, cancellationToken),
        });

        api.MapRecords("/notes", new RecordRules<Note, NoteInput>
        {
            ReadPermission = Permissions.CustomersRead,
            WritePermission = Permissions.CustomersWrite,
            Create = input => new Note { CustomerId = input.CustomerId!.Value, Body = input.Body!.Trim() },
            Apply = (input, note) => { note.CustomerId = input.CustomerId!.Value; note.Body = input.Body!.Trim(); },
            Check = (input, db, cancellationToken) => CustomerReference.CheckAsync(input.CustomerId, db, cancellationToken),
            Search = (query, text, _) => query.Where(n => n.Body.Contains(text)),
        });

        api.MapDuplicatesApi();
        return api;
    }
}
